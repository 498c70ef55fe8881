//! Scan events, published as they happen: each is logged as one structured line, and anything
//! that wants live progress (server-sent events, webhooks, notifications) subscribes here.

use serde::Serialize;
use tokio::sync::broadcast;

use securescan_model::ScanEvent;

/// Subscribers that fall this far behind lose the oldest events (they can re-read the scan).
const BUFFER: usize = 1024;

#[derive(Debug, Clone, Serialize)]
pub struct Published {
    pub scan_id: String,
    #[serde(flatten)]
    pub event: LifecycleEvent,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LifecycleEvent {
    /// The scan left the queue and its scanners start.
    ScanRunning,
    ScanCompleted {
        findings_count: usize,
        risk_score: f64,
    },
    ScanFailed {
        error: String,
    },
    ScanCancelled {
        reason: String,
    },
    /// Something the engine reported while scanning (its own `event` tag names it).
    #[serde(untagged)]
    Engine(ScanEvent),
}

#[derive(Debug, Clone)]
pub struct EventPublisher {
    sender: broadcast::Sender<Published>,
}

impl Default for EventPublisher {
    fn default() -> Self {
        EventPublisher::new()
    }
}

impl EventPublisher {
    pub fn new() -> EventPublisher {
        EventPublisher {
            sender: broadcast::channel(BUFFER).0,
        }
    }

    pub fn publish(&self, scan_id: &str, event: LifecycleEvent) {
        let published = Published {
            scan_id: scan_id.to_string(),
            event,
        };
        let fields = serde_json::to_string(&published).unwrap_or_default();
        tracing::info!(target: "securescan.scan", scan_id = %scan_id, event = %fields, "scan event");
        // No subscriber is not an error: the log line above is the record.
        let _ = self.sender.send(published);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Published> {
        self.sender.subscribe()
    }
}
