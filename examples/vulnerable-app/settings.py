# Hardcoded cloud credentials: what the secrets analyzer looks for.
AWS_ACCESS_KEY_ID = "AKIAQ7RMQ7RMQ7RMQ7RM"
DATABASE_URL = "postgres://admin:hunter22@db.internal:5432/app"
DEBUG = True
