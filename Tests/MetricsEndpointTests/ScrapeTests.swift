import Foundation
import Logging
import Metrics
import MetricsEndpoint
import Prometheus
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The endpoint serving a real Prometheus registry, scraped over HTTP on 127.0.0.1 and parsed as the text format.
@Suite("Metrics endpoint")
struct ScrapeTests {
    /// Runs `body` with a server on a kernel-chosen 127.0.0.1 port serving `registry`, stopping it afterwards.
    func withServer<T>(
        _ registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        limits: MetricsHTTPLimits = MetricsHTTPLimits(), _ body: (Int) throws -> T
    ) throws -> T {
        let server = MetricsHTTPServer(
            address: LoopbackAddress(port: 0), limits: limits, logger: Logger(label: "test")
        ) { registry.emitToBuffer() }
        try server.start()
        defer { server.stop() }
        return try body(Int(server.port))
    }

    @Test("GET /metrics serves what swift-metrics recorded, in a text format that parses")
    func scrape() throws {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["test_duration_seconds"] = [.milliseconds(100), .seconds(1), .seconds(10)]
        let calls = [("service", "rds"), ("action", "DescribeDBClusters")]
        Counter(label: "test_calls_total", dimensions: calls + [("outcome", "success")], factory: factory)
            .increment(by: 3)
        Counter(label: "test_calls_total", dimensions: calls + [("outcome", "throttled")], factory: factory).increment()
        let timer = Timer(label: "test_duration_seconds", factory: factory)
        for milliseconds in [50, 500, 700, 20_000] { timer.record(duration: .milliseconds(milliseconds)) }
        Gauge(label: "test_specs", dimensions: [("phase", "Ready")], factory: factory).record(7)
        // A label value with every character the format escapes.
        Gauge(label: "test_specs", dimensions: [("phase", "odd \"quoted\" \\ value")], factory: factory).record(1)

        let answer = try withServer(registry) { port in try httpGet(port: port) }
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"] == MetricsHTTPServer.contentType)
        #expect(answer.headers["connection"] == "close")
        let exposition = try PrometheusExposition(parsing: answer.body)

        #expect(exposition.families["test_calls_total"]?.type == "counter")
        let success = ["service": "rds", "action": "DescribeDBClusters", "outcome": "success"]
        #expect(exposition.value("test_calls_total", success) == 3)
        #expect(exposition.total("test_calls_total", matching: ["service": "rds"]) == 4)

        #expect(exposition.families["test_duration_seconds"]?.type == "histogram")
        #expect(exposition.value("test_duration_seconds_bucket", ["le": "0.1"]) == 1)
        #expect(exposition.value("test_duration_seconds_bucket", ["le": "1.0"]) == 3)
        #expect(exposition.value("test_duration_seconds_bucket", ["le": "10.0"]) == 3)
        #expect(exposition.value("test_duration_seconds_bucket", ["le": "+Inf"]) == 4)
        #expect(exposition.value("test_duration_seconds_count") == 4)
        #expect(abs((exposition.value("test_duration_seconds_sum") ?? 0) - 21.25) < 1e-9)

        #expect(exposition.families["test_specs"]?.type == "gauge")
        #expect(exposition.value("test_specs", ["phase": "Ready"]) == 7)
        #expect(exposition.value("test_specs", ["phase": "odd \"quoted\" \\ value"]) == 1)
    }

    @Test("an empty registry answers 200 with an empty body")
    func empty() throws {
        let answer = try withServer { port in try httpGet(port: port) }
        #expect(answer.status == 200)
        #expect(try PrometheusExposition(parsing: answer.body).families.isEmpty)
    }

    @Test("other paths are 404, other methods 405, a query string is ignored, garbage is 400")
    func refusals() throws {
        try withServer { port in
            #expect(try httpGet(port: port, path: "/").status == 404)
            #expect(try httpGet(port: port, path: "/metrics/extra").status == 404)
            #expect(try httpGet(port: port, path: "/metrics?name[]=x").status == 200)
            let post = try rawHTTPExchange(
                port: port, request: "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
            #expect(post.status == 405)
            #expect(post.headers["allow"] == "GET")
            #expect(try rawHTTPExchange(port: port, request: "HELLO\r\n\r\n").status == 400)
        }
    }

    @Test("a request head over the size limit is refused with 431 and the connection closed")
    func oversized() throws {
        var limits = MetricsHTTPLimits()
        limits.maxRequestBytes = 1024
        try withServer(limits: limits) { port in
            let filler = String(repeating: "x", count: 2048)
            let answer = try rawHTTPExchange(port: port, request: "GET /metrics HTTP/1.1\r\nX-Filler: \(filler)")
            #expect(answer.status == 431)
        }
    }

    @Test("an idle connection does not hold up a scrape, and is closed at its deadline")
    func idleConnection() throws {
        var limits = MetricsHTTPLimits()
        limits.connectionTimeout = .milliseconds(300)
        try withServer(limits: limits) { port in
            let idle = try connectLoopback(port: port, timeout: 30)
            defer { close(idle) }
            #expect(try httpGet(port: port).status == 200)
            // The server closes the silent connection: recv sees end of file (the socket's own timeout is 30 s).
            var byte: UInt8 = 0
            #expect(recv(idle, &byte, 1, 0) == 0)
        }
    }

    @Test("connections over the limit wait in the backlog and are served once a slot frees")
    func connectionLimit() throws {
        var limits = MetricsHTTPLimits()
        limits.maxConnections = 2
        limits.connectionTimeout = .milliseconds(300)
        try withServer(limits: limits) { port in
            let idle = try (0..<2).map { _ in try connectLoopback(port: port, timeout: 30) }
            defer { idle.forEach { close($0) } }
            #expect(try httpGet(port: port, timeout: 30).status == 200)
        }
    }

    @Test("after stop() nothing listens on the port")
    func stops() throws {
        let server = MetricsHTTPServer(address: LoopbackAddress(port: 0), logger: Logger(label: "test")) { [] }
        try server.start()
        let port = Int(server.port)
        #expect(try httpGet(port: port).status == 200)
        server.stop()
        #expect(throws: HTTPScrapeError.self) { try httpGet(port: port) }
        server.stop()
    }

    @Test("a port already in use fails start() with the address and what to do")
    func portInUse() throws {
        try withServer { port in
            let second = MetricsHTTPServer(
                address: LoopbackAddress(port: UInt16(port)), logger: Logger(label: "test")
            ) { [] }
            let error = #expect(throws: MetricsEndpointError.self) { try second.start() }
            #expect(error?.description.contains("127.0.0.1:\(port)") == true)
            #expect(error?.description.contains("[metrics] listen") == true)
        }
    }
}

/// `[metrics] listen` values: loopback IPv4 with a port, or a bare port.
@Suite("Metrics listen address")
struct LoopbackAddressTests {
    @Test(
        "accepted forms",
        arguments: [
            ("127.0.0.1:9464", "127.0.0.1", 9464), ("9464", "127.0.0.1", 9464), ("127.0.0.2:1", "127.0.0.2", 1),
            ("127.255.255.254:65535", "127.255.255.254", 65535),
        ])
    func accepted(text: String, host: String, port: Int) throws {
        let address = try LoopbackAddress(parsing: text)
        #expect(address.host == host)
        #expect(Int(address.port) == port)
    }

    @Test(
        "refused forms say why",
        arguments: [
            ("0.0.0.0:9464", "not a loopback address"), ("10.0.0.1:9464", "not a loopback address"),
            ("localhost:9464", "not an IPv4 address"), ("[::1]:9464", "not HOST:PORT"),
            ("127.0.0.1:0", "not HOST:PORT"), ("127.0.0.1:65536", "not HOST:PORT"), ("127.0.0.1", "not HOST:PORT"),
            ("", "not HOST:PORT"), ("-1", "not HOST:PORT"),
        ])
    func refused(text: String, reason: String) {
        let error = #expect(throws: LoopbackAddressError.self) { try LoopbackAddress(parsing: text) }
        #expect(error?.description.contains(reason) == true, "\(error?.description ?? "no error")")
    }
}
