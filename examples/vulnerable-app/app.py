"""A deliberately vulnerable Flask-style app: the demo target for `securescan scan`."""
import hashlib
import os
import pickle
import subprocess

import yaml

DB_PASSWORD = "Sup3rS3cretPassw0rd!"


def run(cmd):
    # Command injection: the user's text reaches a shell.
    return subprocess.call(cmd, shell=True)


def calculate(expression):
    return eval(expression)


def load_settings(text):
    return yaml.load(text)


def restore(blob):
    return pickle.loads(blob)


def fingerprint(data):
    return hashlib.md5(data).hexdigest()


def find_user(cursor, name):
    cursor.execute("SELECT * FROM users WHERE name = '%s'" % name)
    return cursor.fetchone()


def cleanup(path):
    os.system("rm -rf " + path)
