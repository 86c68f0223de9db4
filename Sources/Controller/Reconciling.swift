/// What a reconcile asks the controller to do with its key next.
///
/// The reconciler chooses poll and resync intervals itself (`requeueAfter`); the controller owns error backoff, so a
/// retryable error carries no delay.
public enum ReconcileResult: Sendable {
    /// Converged or gone: forget the key until something wakes it.
    case done
    /// Observe again after this delay (poll while AWS works, resync when Ready); resets the key's backoff.
    case requeueAfter(Duration)
    /// A transient failure (throttling, 5xx, network, IAM propagation): retry after the key's exponential backoff.
    case retryableError(any Error)
    /// A failure retrying cannot fix (e.g. a stored spec that no longer decodes: only a resubmit fixes it): do not
    /// retry until the key is woken.
    case terminalError(any Error)
}

/// Converges one key (a spec name); called synchronously on a controller worker thread, never twice at once per key.
///
/// Implementations are level-triggered: each call reads the desired and observed state afresh, so a repeated or
/// coalesced call is harmless.
public protocol Reconciling: Sendable {
    /// Reconciles the spec named `key` once and says when to look at it again.
    func reconcile(key: String) -> ReconcileResult
}
