import Metrics
import Prometheus

/// `PrometheusMetricsFactory` plus a `# HELP` line for each of aurorad's metrics: swift-prometheus's factory
/// registers everything without help text, and its registry refuses a second, different help text for a name, so
/// the help has to go in when the metric is first made. Metrics without a description (none of ours) and every
/// `destroy` go to the wrapped factory unchanged.
struct DescribedPrometheusFactory: MetricsFactory {
    /// The wrapped factory: registry and histogram buckets.
    let base: PrometheusMetricsFactory
    /// Help text by metric name.
    let help: [String: String]

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        guard let text = help[label] else { return base.makeCounter(label: label, dimensions: dimensions) }
        return base.registry.makeCounter(descriptor: Self.descriptor(label, text), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        base.makeFloatingPointCounter(label: label, dimensions: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard !aggregate, let text = help[label] else {
            return base.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
        }
        return base.registry.makeGauge(descriptor: Self.descriptor(label, text), labels: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        base.makeMeter(label: label, dimensions: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        guard let text = help[label] else { return base.makeTimer(label: label, dimensions: dimensions) }
        let buckets = base.durationHistogramBuckets[label] ?? base.defaultDurationHistogramBuckets
        return base.registry.makeDurationHistogram(
            descriptor: Self.descriptor(label, text), labels: dimensions, buckets: buckets)
    }

    /// The registry's name for `label` as it is (aurorad's labels are full Prometheus names), with its help text.
    private static func descriptor(_ label: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: help)
    }

    func destroyCounter(_ handler: any CounterHandler) { base.destroyCounter(handler) }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        base.destroyFloatingPointCounter(handler)
    }

    func destroyRecorder(_ handler: any RecorderHandler) { base.destroyRecorder(handler) }

    func destroyMeter(_ handler: any MeterHandler) { base.destroyMeter(handler) }

    func destroyTimer(_ handler: any TimerHandler) { base.destroyTimer(handler) }
}
