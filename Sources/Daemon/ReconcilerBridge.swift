import Controller
import Reconciler
import Synchronization

/// Lets the controller drive the spec reconciler: the Reconciler module does not know the Controller's types, so
/// this maps its outcome onto the controller's result one to one. It holds the current reconciler, which a
/// configuration reload replaces to change the poll and resync intervals; a reconcile in flight finishes on the one
/// it started with.
final class ReconcilerBridge: Reconciling {
    private let make: @Sendable (ReconcilerOptions) -> SpecReconciler
    private let reconciler: Mutex<SpecReconciler>

    /// A bridge over `make(options)`; `make` builds the replacement on `reconfigure`.
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
        switch current.reconcile(name: key) {
        case .done: .done
        case .requeueAfter(let delay): .requeueAfter(delay)
        case .retryableError(let error): .retryableError(error)
        case .terminalError(let error): .terminalError(error)
        }
    }
}
