//! vigil's runtime observer (`vigil agent`): what runs on a Linux host,
//! in which container, what code each process has loaded (mapped to the
//! packages that own it), what it exposes on the network and which data
//! stores it reaches, read from `/proc` and the filesystem without any
//! kernel module. The snapshot's shape is in [`snapshot`].

pub mod collect;
pub mod containers;
pub mod host;
pub mod images;
pub mod inventory;
pub mod loaded;
pub mod net;
pub mod owners;
pub mod procs;
pub mod snapshot;

pub use collect::{collect, CollectError, Options, SCHEMA_VERSION};

pub use snapshot::{
    apply, diff, Connection, ConnectionKind, Container, ContainerImage, ContainerInfo, Delta,
    DeltaKind, Document, Exposure, Host, Listener, Loaded, LoadedKind, Process, Protocol, Snapshot,
    Unseen,
};
