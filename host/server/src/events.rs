//! Scan events: each logged as one structured line and kept per scan, numbered, so the SSE
//! stream can replay what a late subscriber missed and resume after `Last-Event-ID` without gaps
//! or duplicates. The bus is behind [`EventBus`], so a shared backplane can replace the
//! in-process one ([`LocalBus`]) when several servers share a store.
//!
//! Subscribers do not get queues of their own: they read the scan's log from the event after
//! the last one they saw, woken when it grows. A slow subscriber therefore costs nothing and
//! cannot lose the terminal event: the log keeps the last [`REPLAY`] events, evicting the
//! oldest non-terminal one first, and the terminal event is always its last.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;

use crate::lock;

/// Events kept per scan for late subscribers.
pub const REPLAY: usize = 200;
/// How long a finished scan's events stay after its terminal event.
pub const RETAIN_AFTER_END: Duration = Duration::from_secs(30);

/// The events that end a scan's stream.
pub const TERMINAL: [&str; 3] = ["scan.complete", "scan.failed", "scan.cancelled"];

/// One event as subscribers see it: `id` counts from 1 within its scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WireEvent {
    pub id: u64,
    pub event: String,
    pub data: Value,
}

impl WireEvent {
    pub fn is_terminal(&self) -> bool {
        TERMINAL.contains(&self.event.as_str())
    }
}

/// One scan's events, as a subscriber reads them.
pub trait EventLog: Send + Sync {
    /// The kept events with an id above `after`, oldest first.
    fn after(&self, after: u64) -> Vec<Arc<WireEvent>>;
}

/// Where scan events are published and subscribed to.
pub trait EventBus: Send + Sync {
    fn publish(&self, scan_id: &str, event: &str, data: Value);
    /// A subscription to `scan_id`'s events, created if the scan has published none yet.
    fn subscribe(&self, scan_id: &str) -> Subscription;
    /// A subscription only if the scan's events are still kept.
    fn subscribe_existing(&self, scan_id: &str) -> Option<Subscription>;
}

/// A reader of one scan's events.
pub struct Subscription {
    log: Arc<dyn EventLog>,
    changed: watch::Receiver<u64>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription").finish_non_exhaustive()
    }
}

impl Subscription {
    pub fn new(log: Arc<dyn EventLog>, changed: watch::Receiver<u64>) -> Subscription {
        Subscription { log, changed }
    }

    /// The events after `after`, waiting at most `wait` for one to arrive (empty when none
    /// did).
    pub async fn next_after(&mut self, after: u64, wait: Duration) -> Vec<Arc<WireEvent>> {
        let ready = self.log.after(after);
        if !ready.is_empty() {
            return ready;
        }
        self.changed.mark_unchanged();
        // Published between the read above and `mark_unchanged`: read again before waiting.
        let ready = self.log.after(after);
        if !ready.is_empty() {
            return ready;
        }
        match tokio::time::timeout(wait, self.changed.changed()).await {
            Ok(_) => self.log.after(after),
            Err(_) => Vec::new(),
        }
    }
}

struct Channel {
    state: Mutex<ChannelState>,
    latest: watch::Sender<u64>,
}

#[derive(Default)]
struct ChannelState {
    next_id: u64,
    events: VecDeque<Arc<WireEvent>>,
}

impl EventLog for Channel {
    fn after(&self, after: u64) -> Vec<Arc<WireEvent>> {
        let state = lock(&self.state);
        state
            .events
            .iter()
            .filter(|event| event.id > after)
            .cloned()
            .collect()
    }
}

impl Channel {
    fn new() -> Arc<Channel> {
        Arc::new(Channel {
            state: Mutex::new(ChannelState {
                next_id: 1,
                events: VecDeque::new(),
            }),
            latest: watch::channel(0).0,
        })
    }

    fn push(&self, event: &str, data: Value) -> Arc<WireEvent> {
        let mut state = lock(&self.state);
        let wire = Arc::new(WireEvent {
            id: state.next_id,
            event: event.to_string(),
            data,
        });
        state.next_id += 1;
        state.events.push_back(wire.clone());
        if state.events.len() > REPLAY
            && let Some(oldest) = state.events.iter().position(|e| !e.is_terminal())
        {
            state.events.remove(oldest);
        }
        drop(state);
        self.latest.send_replace(wire.id);
        wire
    }

    fn subscription(self: &Arc<Channel>) -> Subscription {
        Subscription::new(self.clone(), self.latest.subscribe())
    }
}

/// The in-process bus: one log per scan, dropped [`RETAIN_AFTER_END`] after its terminal event
/// (subscribers still reading keep their copy).
#[derive(Clone, Default)]
pub struct LocalBus {
    channels: Arc<Mutex<HashMap<String, Arc<Channel>>>>,
}

impl std::fmt::Debug for LocalBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalBus")
            .field("scans", &lock(&self.channels).len())
            .finish()
    }
}

impl LocalBus {
    pub fn new() -> LocalBus {
        LocalBus::default()
    }

    fn channel(&self, scan_id: &str) -> Arc<Channel> {
        lock(&self.channels)
            .entry(scan_id.to_string())
            .or_insert_with(Channel::new)
            .clone()
    }

    /// Scans whose events are kept.
    pub fn len(&self) -> usize {
        lock(&self.channels).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl EventBus for LocalBus {
    fn publish(&self, scan_id: &str, event: &str, data: Value) {
        let channel = self.channel(scan_id);
        let wire = channel.push(event, data);
        tracing::info!(
            target: "securescan.scan",
            scan_id = %scan_id,
            event = %wire.event,
            id = wire.id,
            data = %wire.data,
            "scan event"
        );
        if wire.is_terminal()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let channels = self.channels.clone();
            let scan_id = scan_id.to_string();
            runtime.spawn(async move {
                tokio::time::sleep(RETAIN_AFTER_END).await;
                let mut channels = lock(&channels);
                // Only this scan's log as it was: not one a rerun with the same id started.
                if channels
                    .get(&scan_id)
                    .is_some_and(|kept| Arc::ptr_eq(kept, &channel))
                {
                    channels.remove(&scan_id);
                }
            });
        }
    }

    fn subscribe(&self, scan_id: &str) -> Subscription {
        self.channel(scan_id).subscription()
    }

    fn subscribe_existing(&self, scan_id: &str) -> Option<Subscription> {
        let channel = lock(&self.channels).get(scan_id).cloned()?;
        Some(channel.subscription())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn late_subscribers_replay_and_resume_without_gaps_or_duplicates() {
        let bus = LocalBus::new();
        bus.publish("s", "scan.start", json!({}));
        bus.publish("s", "scanner.start", json!({"name": "semgrep"}));
        let mut late = bus.subscribe("s");
        let replayed = late.next_after(0, Duration::from_millis(10)).await;
        assert_eq!(replayed.iter().map(|e| e.id).collect::<Vec<_>>(), [1, 2]);
        // Resuming after id 1 gives 2 only, then waits for 3.
        let resumed = late.next_after(1, Duration::from_millis(10)).await;
        assert_eq!(resumed.iter().map(|e| e.id).collect::<Vec<_>>(), [2]);
        let waiting = tokio::spawn(async move { late.next_after(2, Duration::from_secs(5)).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        bus.publish("s", "scan.complete", json!({"findings_count": 0}));
        let live = waiting.await.expect("task");
        assert_eq!(live.len(), 1);
        assert!(live[0].is_terminal());
        assert!(bus.subscribe_existing("other").is_none());
    }

    #[tokio::test]
    async fn the_terminal_event_is_never_evicted() {
        let bus = LocalBus::new();
        for n in 0..10 {
            bus.publish("s", "scanner.start", json!({ "n": n }));
        }
        bus.publish("s", "scan.cancelled", json!({}));
        for n in 0..(REPLAY + 50) {
            bus.publish("s", "scanner.complete", json!({ "n": n }));
        }
        let mut sub = bus.subscribe("s");
        let kept = sub.next_after(0, Duration::from_millis(10)).await;
        assert_eq!(kept.len(), REPLAY);
        assert!(kept.iter().any(|e| e.event == "scan.cancelled"));
    }
}
