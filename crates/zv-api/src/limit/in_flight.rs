//! The cap on calls in flight, all paths together: a counting semaphore that a thread can
//! wait on and a task can await, with no runtime.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use event_listener::{Event, EventListener, Listener};

/// The cap on calls in flight: a counting semaphore for threads and tasks alike.
#[derive(Debug)]
pub(super) struct InFlight {
    pub(super) max: usize,
    free: AtomicUsize,
    given_back: Event,
}

impl InFlight {
    /// A cap of `max` calls (not 0: the caller refuses that).
    pub(super) fn new(max: usize) -> Self {
        InFlight { max, free: AtomicUsize::new(max), given_back: Event::new() }
    }

    /// A place, blocking the thread until one is free.
    pub(super) fn take_blocking(self: &Arc<Self>) -> InFlightPermit {
        loop {
            match self.take_or_listen() {
                Ok(permit) => return permit,
                Err(listener) => listener.wait(),
            }
        }
    }

    /// A place, awaited (on any executor) until one is free. Dropping the future while it
    /// waits takes no place.
    pub(super) async fn take(self: &Arc<Self>) -> InFlightPermit {
        loop {
            match self.take_or_listen() {
                Ok(permit) => return permit,
                Err(listener) => listener.await,
            }
        }
    }

    fn try_take(self: &Arc<Self>) -> Option<InFlightPermit> {
        self.free
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |free| free.checked_sub(1))
            .ok()
            .map(|_| InFlightPermit { cap: self.clone() })
    }

    /// A place now, or a listener to wait on before trying again. Listening before the
    /// second try means a place given back in between is never missed.
    fn take_or_listen(self: &Arc<Self>) -> Result<InFlightPermit, EventListener> {
        if let Some(permit) = self.try_take() {
            return Ok(permit);
        }
        tracing::debug!(
            max_in_flight = self.max,
            "waiting for one of the {} calls in flight to finish",
            self.max
        );
        let listener = self.given_back.listen();
        // A listener dropped after being woken passes the wake-up on to another waiter.
        self.try_take().ok_or(listener)
    }
}

/// A place among the calls in flight, given back when dropped (also when the call's future
/// is dropped while it waits or sends).
#[derive(Debug)]
pub struct InFlightPermit {
    cap: Arc<InFlight>,
}

impl Drop for InFlightPermit {
    fn drop(&mut self) {
        self.cap.free.fetch_add(1, Ordering::AcqRel);
        // One more waiter than those already woken: two places given back wake two.
        self.cap.given_back.notify_additional(1);
    }
}
