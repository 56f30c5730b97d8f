//! [`Shared`]: what the server's connections and the [`MockServer`](crate::MockServer)
//! handle share: the gateway, the recording proxy, and the stop signal.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::watch;

use crate::gateway::Gateway;
#[cfg(feature = "record")]
use crate::record::Recorder;

pub(crate) struct Shared {
    pub(crate) gateway: Gateway,
    /// The recording proxy, when recording.
    #[cfg(feature = "record")]
    pub(crate) recorder: Option<Recorder>,
    /// How long a request's body may take to arrive once its head is in.
    pub(crate) header_timeout: Duration,
    /// The address the server listens on, once bound.
    pub(crate) local: OnceLock<SocketAddr>,
    /// Whether it speaks HTTPS.
    pub(crate) tls: bool,
    /// Becomes `true` when the server shuts down (ends delays and huge bodies early).
    pub(crate) stop: watch::Receiver<bool>,
}

impl Shared {
    /// Whether the server is a recording proxy.
    pub(crate) fn forwarding(&self) -> bool {
        #[cfg(feature = "record")]
        return self.recorder.is_some();
        #[cfg(not(feature = "record"))]
        false
    }
}

/// Completes once `stop` reads `true` (or its sender is gone).
pub(crate) async fn stopped(mut stop: watch::Receiver<bool>) {
    // The borrow guard `wait_for` returns is dropped here, not held across an await.
    let _ = stop.wait_for(|stopped| *stopped).await;
}
