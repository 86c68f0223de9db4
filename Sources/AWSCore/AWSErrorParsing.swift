import Foundation

extension AWSError {
    /// Builds the error for a non-2xx `response` to `service`'s `action`.
    ///
    /// Reads Query-protocol bodies (`<ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse>`),
    /// S3 REST bodies (`<Error><Code/><Message/><RequestId/></Error>`) and EC2-style `<Response><Errors>` bodies. With
    /// no body (HEAD) or one that is not XML, the code comes from the status (`404` → `NotFound`,
    /// `403` → `Forbidden`, `301` → `PermanentRedirect`, …) and the message says what the body was. `receivedAt` is
    /// the local time used to compute the clock offset from the `Date` header.
    public static func from(
        response: HTTPResponse, service: String, action: String,
        receivedAt: Date = Date()
    ) -> AWSError {
        var error = AWSError(
            service: service, action: action, code: statusCode(response.status),
            status: response.status)
        error.requestId = response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id")
        error.bucketRegion = response.header("x-amz-bucket-region")
        if let date = response.header("Date").flatMap(parseHTTPDate) {
            error.clockOffset = date.timeIntervalSince(receivedAt)
        }
        guard !response.body.isEmpty else { return error }
        guard let root = try? AWSXMLParser.parse(response.body) else {
            error.message = "the error response body is not XML: " + snippet(of: response.body)
            return error
        }
        let detail: AWSXMLElement? =
            switch root.name {
            // moto nests it one level deeper (`<ErrorResponse><Errors><Error>`) in its authentication errors.
            case "ErrorResponse": root.child("Error") ?? root.element(at: "Errors/Error")
            case "Response": root.element(at: "Errors/Error")
            case "Error": root
            default: nil
            }
        guard let detail, let code = detail.trimmedText(at: "Code") else {
            error.message = "the error response has no error code: " + snippet(of: response.body)
            return error
        }
        error.code = code
        error.message = detail.trimmedText(at: "Message")
        error.requestId =
            error.requestId ?? root.trimmedText(at: "RequestId") ?? root.trimmedText(at: "RequestID")
            ?? detail.trimmedText(at: "RequestId")
        error.bucketRegion = error.bucketRegion ?? detail.trimmedText(at: "Region")
        return error
    }

    /// The code used when the body gives none, named as S3 and HTTP name these statuses.
    static func statusCode(_ status: Int) -> String {
        switch status {
        case 301: "PermanentRedirect"
        case 307: "TemporaryRedirect"
        case 400: "BadRequest"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 405: "MethodNotAllowed"
        case 409: "Conflict"
        case 412: "PreconditionFailed"
        case 416: "InvalidRange"
        case 500: "InternalServerError"
        case 502: "BadGateway"
        case 503: "ServiceUnavailable"
        case 504: "GatewayTimeout"
        default: "HTTP\(status)"
        }
    }

    /// Up to 200 printable characters of a body, for messages about bodies we could not read.
    static func snippet(of body: Data) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        let printable = String(
            text.unicodeScalars.map {
                $0.properties.isWhitespace || $0.value < 0x20 ? " " : Character($0)
            })
        let collapsed = printable.split(separator: " ").joined(separator: " ")
        return collapsed.isEmpty ? "(\(body.count) bytes)" : "\"\(collapsed)\"" + (body.count > 200 ? "…" : "")
    }

    /// Parses an RFC 7231 `Date` header (`Wed, 25 Nov 2026 11:05:18 GMT`, the IMF-fixdate form AWS sends). Read as
    /// the ISO 8601 text it names rather than through `DateFormatter`, whose ICU locale data stayed paged in for the
    /// daemon's life once an error response had been read.
    static func parseHTTPDate(_ text: String) -> Date? {
        let fields = text.split(separator: " ")
        guard fields.count == 6, fields[0].hasSuffix(","), fields[5] == "GMT", fields[1].count == 2,
            fields[3].count == 4, fields[4].count == 8,
            let month = httpMonths.firstIndex(of: String(fields[2]))
        else { return nil }
        let iso = "\(fields[3])-\(month < 9 ? "0" : "")\(month + 1)-\(fields[1])T\(fields[4])Z"
        return try? Date.ISO8601FormatStyle().parse(iso)
    }

    private static let httpMonths = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
}
