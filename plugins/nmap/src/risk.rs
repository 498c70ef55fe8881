//! Coarse risk classes for an open port, as the original classified them, plus a few well-known
//! services that are just as dangerous when reachable.

use securescan_adapter_sdk::Severity;

/// Plaintext logins, unauthenticated-by-default stores and remote desktops (the original's list).
const HIGH_RISK_PORTS: &[u16] = &[21, 23, 5900, 6379, 27017, 11211];
const HIGH_RISK_SERVICES: &[&str] = &["telnet", "ftp", "rsh", "rlogin"];
/// Added, TCP only: rexec/rlogin/rsh (512-514, which nmap's service table names `exec`, `login`,
/// `shell`, so the service-name check above misses them without -sV) and the Docker Engine API
/// without TLS (2375: anyone who reaches it is root on the host). 512-514/udp are other services.
const HIGH_RISK_TCP_PORTS: &[u16] = &[512, 513, 514, 2375];
/// Added: the services behind the original's high-risk ports, as nmap -sV names them, so Redis,
/// MongoDB, memcached or VNC on a non-standard port (a Kubernetes NodePort, say) still count.
const HIGH_RISK_SERVICES_ADDED: &[&str] = &["redis", "mongodb", "memcache", "vnc"];

/// Databases and Windows management (the original's list).
const MEDIUM_RISK_PORTS: &[u16] = &[3306, 5432, 1433, 1521, 135, 139, 445, 3389];
/// Added, TCP only: etcd's client API (2379, Kubernetes' secrets store) and Elasticsearch's REST
/// API (9200), both databases that ship without authentication in common setups.
const MEDIUM_RISK_TCP_PORTS: &[u16] = &[2379, 9200];
/// Added: the services behind the original's medium-risk ports (and etcd), by nmap's names.
/// `msrpc` is left out: Windows hosts show it on every dynamic RPC port, not only 135.
const MEDIUM_RISK_SERVICES: &[&str] = &[
    "mysql",
    "postgresql",
    "ms-sql-s",
    "oracle-tns",
    "microsoft-ds",
    "netbios-ssn",
    "ms-wbt-server",
    "etcd-client",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Risk {
    High,
    Medium,
    Info,
}

impl Risk {
    pub fn of(port: u16, protocol: &str, service: &str) -> Risk {
        let tcp = protocol.eq_ignore_ascii_case("tcp");
        let service = service.to_ascii_lowercase();
        if HIGH_RISK_PORTS.contains(&port)
            || HIGH_RISK_SERVICES.contains(&service.as_str())
            || HIGH_RISK_SERVICES_ADDED.contains(&service.as_str())
            || (tcp && HIGH_RISK_TCP_PORTS.contains(&port))
        {
            Risk::High
        } else if MEDIUM_RISK_PORTS.contains(&port)
            || MEDIUM_RISK_SERVICES.contains(&service.as_str())
            || (tcp && MEDIUM_RISK_TCP_PORTS.contains(&port))
        {
            Risk::Medium
        } else {
            Risk::Info
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Risk::High => Severity::High,
            Risk::Medium => Severity::Medium,
            Risk::Info => Severity::Info,
        }
    }

    /// The sentence the original appended to the description.
    pub fn explanation(self) -> Option<&'static str> {
        match self {
            Risk::High => Some(
                "This service is considered high-risk due to known security weaknesses or lack of encryption.",
            ),
            Risk::Medium => Some(
                "This is a database or management port that should not be exposed to untrusted networks.",
            ),
            Risk::Info => None,
        }
    }
}
