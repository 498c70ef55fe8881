//! Every time the server writes: UTC, RFC 3339 (the original mixed local and UTC times, none
//! with an offset).

use securescan_engine::stamp::Stamp;

pub fn now() -> String {
    Stamp::now().created
}
