import Controller
import Reconciler
import Synchronization

/// The spec reconciler the controller drives, replaceable: a configuration reload swaps in one with new poll and
/// resync intervals; a reconcile in flight finishes on the one it started with.
final class ReloadableReconciler: Reconciling {
    private let make: @Sendable (ReconcilerOptions) -> SpecReconciler
    private let reconciler: Mutex<SpecReconciler>

    /// A reconciler built by `make(options)`; `make` builds the replacement on `reconfigure`.
    init(options: ReconcilerOptions, make: @escaping @Sendable (ReconcilerOptions) -> SpecReconciler) {
        self.make = make
        reconciler = Mutex(make(options))
    }

    /// The reconciler new work goes to.
    var current: SpecReconciler { reconciler.withLock { $0 } }

    /// Replaces the reconciler with one using `options`.
    func reconfigure(_ options: ReconcilerOptions) {
        let replacement = make(options)
        reconciler.withLock { $0 = replacement }
    }

    func reconcile(key: String) -> ReconcileResult {
        current.reconcile(name: key)
    }
}
