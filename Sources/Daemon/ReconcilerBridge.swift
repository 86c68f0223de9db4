import Controller
import Reconciler

/// Lets the controller drive the spec reconciler: the Reconciler module does not know the Controller's types, so
/// this maps its outcome onto the controller's result one to one.
struct ReconcilerBridge: Reconciling {
    let reconciler: SpecReconciler

    func reconcile(key: String) -> ReconcileResult {
        switch reconciler.reconcile(name: key) {
        case .done: .done
        case .requeueAfter(let delay): .requeueAfter(delay)
        case .retryableError(let error): .retryableError(error)
        case .terminalError(let error): .terminalError(error)
        }
    }
}
