import Testing
import TestSupport

/// The test parser itself: it must reject what Prometheus would, or the scrape tests could pass on broken output.
@Suite("Prometheus text parser")
struct PrometheusExpositionTests {
    static let histogram = """
        # TYPE d histogram
        d_bucket{le="0.5"} 1
        d_bucket{le="1.0"} 2
        d_bucket{le="+Inf"} 3
        d_sum 4.5
        d_count 3

        """

    @Test("a well-formed exposition reads back")
    func wellFormed() throws {
        let text = """
            # HELP c_total Calls.
            # TYPE c_total counter
            c_total{a="x",b="y\\n"} 2
            c_total{a="z",} 1e3 1700000000000
            # a comment
            u 1
            """ + "\n" + Self.histogram
        let exposition = try PrometheusExposition(parsing: text)
        #expect(exposition.families["c_total"]?.help == "Calls.")
        #expect(exposition.value("c_total", ["a": "x", "b": "y\n"]) == 2)
        #expect(exposition.total("c_total") == 1002)
        #expect(exposition.families["u"]?.type == "untyped")
        #expect(exposition.value("d_count") == 3)
    }

    @Test(
        "malformed expositions are refused",
        arguments: [
            "c{a=\"x} 1",  // unterminated label value
            "c{a=\"\\q\"} 1",  // invalid escape
            "c{1a=\"x\"} 1",  // label name starts with a digit
            "c{a=\"x\",a=\"y\"} 1",  // duplicate label
            "1c 1",  // metric name starts with a digit
            "c one",  // value not a number
            "c 1 2 3",  // extra fields
            "# TYPE c countr",  // unknown type
            "c 1\n# TYPE c counter",  // TYPE after samples
            "# TYPE c counter\n# TYPE c gauge",  // second TYPE
            "a 1\nb 1\na 2",  // a family split in two
            "# TYPE d histogram\nd_bucket{le=\"1\"} 2\nd_bucket{le=\"+Inf\"} 1\nd_sum 1\nd_count 1",  // counts fall
            "# TYPE d histogram\nd_bucket{le=\"2\"} 1\nd_bucket{le=\"1\"} 1\nd_bucket{le=\"+Inf\"} 1\nd_sum 1\nd_count 1",
            "# TYPE d histogram\nd_bucket{le=\"1\"} 1\nd_sum 1\nd_count 1",  // no +Inf bucket
            "# TYPE d histogram\nd_bucket{le=\"+Inf\"} 2\nd_sum 1\nd_count 1",  // +Inf differs from _count
            "# TYPE d histogram\nd_bucket{le=\"+Inf\"} 1\nd_count 1",  // no _sum
        ])
    func malformed(text: String) {
        #expect(throws: PrometheusTextError.self) { try PrometheusExposition(parsing: text) }
    }
}
