import AWSServices
import Controller
import Logging
import Metrics
import MetricsEndpoint
import Prometheus

/// The daemon's metrics: the swift-metrics factory every component records through and, when `[metrics] listen` is
/// set, the Prometheus registry behind it, served on that loopback address. Without the setting the factory is the
/// no-op handler and nothing listens.
///
/// The factory is handed to each component rather than bootstrapped into `MetricsSystem`: the global can be set once
/// per process, and tests run several daemons' components (and their own registries) in one process.
final class DaemonMetrics: Sendable {
    /// What the components record through.
    let factory: any MetricsFactory
    private let server: MetricsHTTPServer?

    /// Metrics for `listen` (nil: recorded nowhere); `start()` opens the endpoint.
    init(listen: LoopbackAddress?, logger: Logger) {
        guard let listen else {
            factory = NOOPMetricsHandler.instance
            server = nil
            return
        }
        let registry = PrometheusCollectorRegistry()
        var prometheus = PrometheusMetricsFactory(registry: registry)
        prometheus.durationHistogramBuckets = [
            ReconcileMetrics.durationName: ReconcileMetrics.durationBuckets,
            ReloadableRateLimit.waitName: ReloadableRateLimit.waitBuckets,
        ]
        factory = DescribedPrometheusFactory(
            base: prometheus,
            help: [
                AWSCallMetrics.descriptions, ReconcileMetrics.descriptions, StateGauges.descriptions,
                ReloadableRateLimit.descriptions,
            ].reduce(into: [:]) { $0.merge($1) { first, _ in first } })
        server = MetricsHTTPServer(address: listen, logger: logger) { registry.emitToBuffer() }
    }

    /// The AWS client's call, retry and throttle counters.
    var awsCalls: AWSCallMetrics { AWSCallMetrics(factory: factory) }

    /// The controller's reconcile counters and duration histogram.
    var reconciles: ReconcileMetrics { ReconcileMetrics(factory: factory) }

    /// Starts serving scrapes, when an address is configured. Throws when the address cannot be bound.
    func start() throws(MetricsEndpointError) {
        try server?.start()
    }

    /// Stops serving scrapes.
    func stop() {
        server?.stop()
    }
}
