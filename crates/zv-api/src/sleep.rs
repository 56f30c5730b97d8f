//! The waiting between attempts (retry backoffs, turns under the rate limit): blocking and
//! async sleepers (replace them in tests).

use std::time::Duration;

use zv_transport::BoxFuture;

/// Waits before an attempt of a blocking call (a backoff, a turn under the rate limit).
/// Replace it in tests to never really sleep.
pub trait Sleeper: Send + Sync {
    /// Blocks the current thread for `duration`.
    fn sleep(&self, duration: Duration);
}

/// Waits with `std::thread::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadSleeper;

impl Sleeper for ThreadSleeper {
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

impl<F: Fn(Duration) + Send + Sync> Sleeper for F {
    fn sleep(&self, duration: Duration) {
        self(duration);
    }
}

/// Waits before an attempt of an async call (a backoff, a turn under the rate limit).
/// Replace it in tests to never really sleep.
pub trait AsyncSleeper: Send + Sync {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// Waits with `tokio::time::sleep` on a tokio runtime; elsewhere (another executor with a
/// custom transport) with a timer thread, so a retry never panics for want of a runtime.
#[cfg(feature = "reqwest")]
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

#[cfg(feature = "reqwest")]
impl AsyncSleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Box::pin(tokio::time::sleep(duration));
        }
        let (done, wait) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            std::thread::sleep(duration);
            let _ = done.send(());
        });
        Box::pin(async move {
            let _ = wait.await;
        })
    }
}

impl<F, Fut> AsyncSleeper for F
where
    F: Fn(Duration) -> Fut + Send + Sync,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(self(duration))
    }
}
