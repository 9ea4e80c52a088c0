//! Sockets: the kernel's tables (`/proc/net/{tcp,tcp6,udp,udp6}`), the
//! classification of addresses (loopback, private, public) and the data
//! stores told by port or by process.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::snapshot::{ConnectionKind, Protocol};

/// TCP states of the tables (`include/net/tcp_states.h`).
pub const TCP_ESTABLISHED: u8 = 0x01;
/// A listening TCP socket.
pub const TCP_LISTEN: u8 = 0x0A;
/// An unconnected (bound) UDP socket reports this state.
pub const UDP_UNCONNECTED: u8 = 0x07;

/// One row of a socket table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketEntry {
    /// TCP or UDP.
    pub protocol: Protocol,
    /// The local address and port.
    pub local: SocketAddr,
    /// The remote address and port (all zero when unconnected).
    pub remote: SocketAddr,
    /// The state (`TCP_*`).
    pub state: u8,
    /// The socket's inode (0 for sockets no descriptor holds: TIME_WAIT).
    pub inode: u64,
}

impl SocketEntry {
    /// A listening TCP socket, or a bound unconnected UDP socket.
    pub fn is_listening(&self) -> bool {
        match self.protocol {
            Protocol::Tcp => self.state == TCP_LISTEN,
            Protocol::Udp => {
                self.state == UDP_UNCONNECTED
                    && self.remote.port() == 0
                    && self.remote.ip().is_unspecified()
                    && self.local.port() != 0
            }
        }
    }

    /// An established TCP connection, or a connected UDP socket.
    pub fn is_established(&self) -> bool {
        self.state == TCP_ESTABLISHED
    }
}

/// A row the parser could not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub problem: String,
}

/// Parses a socket table (`/proc/net/tcp` and its kin): a header line,
/// then `sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...`
/// rows. Rows it cannot read (a short read cuts the last one) come back
/// as [`BadLine`]s; the others are kept.
pub fn parse_table(text: &str, protocol: Protocol) -> (Vec<SocketEntry>, Vec<BadLine>) {
    let mut entries = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        match parse_row(line, protocol) {
            Ok(e) => entries.push(e),
            Err(problem) => bad.push(BadLine {
                line: i + 1,
                problem,
            }),
        }
    }
    (entries, bad)
}

fn parse_row(line: &str, protocol: Protocol) -> Result<SocketEntry, String> {
    let f: Vec<&str> = line.split_whitespace().collect();
    if f.len() < 10 {
        return Err(format!("{} fields, expected at least 10", f.len()));
    }
    let local = parse_socket_addr(f[1]).ok_or_else(|| format!("bad local address `{}`", f[1]))?;
    let remote = parse_socket_addr(f[2]).ok_or_else(|| format!("bad remote address `{}`", f[2]))?;
    let state = u8::from_str_radix(f[3], 16).map_err(|_| format!("bad state `{}`", f[3]))?;
    let inode = f[9]
        .parse::<u64>()
        .map_err(|_| format!("bad inode `{}`", f[9]))?;
    Ok(SocketEntry {
        protocol,
        local,
        remote,
        state,
        inode,
    })
}

/// Parses `0100007F:1F90` (IPv4) or 32 hex digits then `:PORT` (IPv6).
/// The address is printed as 32-bit words in the host's byte order, the
/// port as a big-endian number.
pub fn parse_socket_addr(s: &str) -> Option<SocketAddr> {
    let (addr, port) = s.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let ip = match addr.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(addr)?)),
        32 => {
            let mut bytes = [0u8; 16];
            for (i, chunk) in bytes.chunks_mut(4).enumerate() {
                chunk.copy_from_slice(&word(addr.get(i * 8..i * 8 + 8)?)?);
            }
            IpAddr::V6(Ipv6Addr::from(bytes))
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// Eight hex digits of a word printed in the host's byte order, as the
/// bytes it held in memory (network order).
fn word(hex: &str) -> Option<[u8; 4]> {
    Some(u32::from_str_radix(hex, 16).ok()?.to_ne_bytes())
}

/// The address itself, or the IPv4 address an IPv4-mapped IPv6 address
/// (`::ffff:10.0.0.1`) carries.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Loopback, private (RFC 1918, carrier-grade NAT 100.64.0.0/10,
/// link-local, IPv6 unique-local and link-local) or public.
pub fn classify(ip: IpAddr) -> ConnectionKind {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            if v4.is_loopback() {
                ConnectionKind::Loopback
            } else if v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || (o[0] == 100 && (o[1] & 0xC0) == 64)
            {
                ConnectionKind::Private
            } else {
                ConnectionKind::Public
            }
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            if v6.is_loopback() {
                ConnectionKind::Loopback
            } else if (first & 0xFE00) == 0xFC00
                || (first & 0xFFC0) == 0xFE80
                || v6.is_unspecified()
            {
                ConnectionKind::Private
            } else {
                ConnectionKind::Public
            }
        }
    }
}

/// Data stores and queues by their well-known server port.
pub const DATA_PORTS: &[(u16, &str)] = &[
    (5432, "postgresql"),
    (3306, "mysql"),
    (33060, "mysql"),
    (27017, "mongodb"),
    (27018, "mongodb"),
    (27019, "mongodb"),
    (6379, "redis"),
    (26379, "redis"),
    (9200, "elasticsearch"),
    (9300, "elasticsearch"),
    (9092, "kafka"),
    (5672, "rabbitmq"),
    (5671, "rabbitmq"),
    (11211, "memcached"),
    (1433, "mssql"),
    (1521, "oracle"),
    (9042, "cassandra"),
    (2181, "zookeeper"),
    (4222, "nats"),
    (8123, "clickhouse"),
    (8086, "influxdb"),
    (7687, "neo4j"),
    (5984, "couchdb"),
    (2379, "etcd"),
    (26257, "cockroachdb"),
    (61616, "activemq"),
    (6650, "pulsar"),
    (1883, "mqtt"),
    (8883, "mqtt"),
];

/// The data store a server port belongs to, by convention.
pub fn data_asset_of_port(port: u16) -> Option<&'static str> {
    DATA_PORTS
        .iter()
        .find(|(p, _)| *p == port)
        .map(|(_, name)| *name)
}

/// Data-store server programs by executable (or command) name.
const DATA_PROGRAMS: &[(&str, &str)] = &[
    ("postgres", "postgresql"),
    ("postmaster", "postgresql"),
    ("mysqld", "mysql"),
    ("mariadbd", "mariadb"),
    ("mongod", "mongodb"),
    ("mongos", "mongodb"),
    ("redis-server", "redis"),
    ("valkey-server", "redis"),
    ("keydb-server", "redis"),
    ("memcached", "memcached"),
    ("clickhouse-server", "clickhouse"),
    ("clickhouse", "clickhouse"),
    ("influxd", "influxdb"),
    ("etcd", "etcd"),
    ("nats-server", "nats"),
    ("sqlservr", "mssql"),
    ("tnslsnr", "oracle"),
    ("cockroach", "cockroachdb"),
];

/// Java and Erlang servers, told by their command line.
const DATA_MAIN_CLASSES: &[(&str, &str)] = &[
    ("org.elasticsearch.", "elasticsearch"),
    ("org.opensearch.", "opensearch"),
    ("kafka.Kafka", "kafka"),
    ("org.apache.cassandra.", "cassandra"),
    ("org.apache.zookeeper.server", "zookeeper"),
    ("org.neo4j.", "neo4j"),
    ("org.apache.activemq.", "activemq"),
    ("-rabbit ", "rabbitmq"),
    ("rabbit_", "rabbitmq"),
    ("couchdb", "couchdb"),
];

/// The data store a process serves, told by its executable's or command's
/// name (`postgres`, `mysqld`, `redis-server`, ...) or, for Java and
/// Erlang servers, its command line.
pub fn data_asset_of_process(
    exe: Option<&str>,
    comm: &str,
    cmdline: &[String],
) -> Option<&'static str> {
    let base = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
    let names = [exe.map(base), Some(comm.to_string())];
    for name in names.iter().flatten() {
        if let Some((_, asset)) = DATA_PROGRAMS.iter().find(|(p, _)| p == name) {
            return Some(asset);
        }
    }
    let program = names.iter().flatten().next().cloned().unwrap_or_default();
    if program.starts_with("java") || program.starts_with("beam") || program.starts_with("erl") {
        let line = cmdline.join(" ") + " ";
        return DATA_MAIN_CLASSES
            .iter()
            .find(|(needle, _)| line.contains(needle))
            .map(|(_, asset)| *asset);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let a = parse_socket_addr("0100007F:1F90").unwrap();
        assert_eq!(a, "127.0.0.1:8080".parse().unwrap());
        let a = parse_socket_addr("00000000000000000000000000000000:0050").unwrap();
        assert_eq!(a, "[::]:80".parse().unwrap());
        let a = parse_socket_addr("0000000000000000FFFF00000100007F:1538").unwrap();
        assert_eq!(a, "[::ffff:127.0.0.1]:5432".parse().unwrap());
        assert_eq!(canonical(a.ip()), "127.0.0.1".parse::<IpAddr>().unwrap());
        let a = parse_socket_addr("00000000000000000000000001000000:0016").unwrap();
        assert_eq!(a, "[::1]:22".parse().unwrap());
        assert!(parse_socket_addr("0100007F").is_none());
        assert!(parse_socket_addr("0100007:1F90").is_none());
        assert!(parse_socket_addr("XX00007F:1F90").is_none());
    }

    #[test]
    fn classification() {
        let k = |s: &str| classify(s.parse().unwrap());
        assert_eq!(k("127.0.0.53"), ConnectionKind::Loopback);
        assert_eq!(k("::1"), ConnectionKind::Loopback);
        assert_eq!(k("::ffff:127.0.0.1"), ConnectionKind::Loopback);
        for p in [
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert_eq!(k(p), ConnectionKind::Private, "{p}");
        }
        for p in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2001:4860::8888",
            "::ffff:1.1.1.1",
        ] {
            assert_eq!(k(p), ConnectionKind::Public, "{p}");
        }
    }

    #[test]
    fn data_assets() {
        assert_eq!(data_asset_of_port(5432), Some("postgresql"));
        assert_eq!(data_asset_of_port(8080), None);
        assert_eq!(
            data_asset_of_process(Some("/usr/lib/postgresql/15/bin/postgres"), "postgres", &[]),
            Some("postgresql")
        );
        assert_eq!(
            data_asset_of_process(None, "redis-server", &[]),
            Some("redis")
        );
        let es = vec![
            "/usr/share/elasticsearch/jdk/bin/java".to_string(),
            "org.elasticsearch.bootstrap.Elasticsearch".to_string(),
        ];
        assert_eq!(
            data_asset_of_process(Some(&es[0]), "java", &es),
            Some("elasticsearch")
        );
        assert_eq!(
            data_asset_of_process(
                Some("/usr/bin/java"),
                "java",
                &[
                    "java".to_string(),
                    "-jar".to_string(),
                    "app.jar".to_string()
                ]
            ),
            None
        );
        assert_eq!(
            data_asset_of_process(Some("/usr/bin/python3"), "python3", &[]),
            None
        );
    }
}
