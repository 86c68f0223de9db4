import CCurl
import Foundation

/// One request/response exchange on a checked-out easy handle: options, callbacks, `curl_easy_perform`, result.
struct CurlExchange {
    let handle: UnsafeMutableRawPointer
    let request: HTTPRequest
    let configuration: CurlTransportConfiguration
    let timeout: Duration

    /// Runs the exchange and returns the response, or throws `TransportError`.
    func run() throws -> HTTPResponse {
        curl_easy_reset(handle)  // keeps the handle's live connections, DNS and TLS session caches
        defer { curl_easy_reset(handle) }  // the idle handle must not keep pointers to this call's sink
        let sink = CurlResponseSink(cap: configuration.maxResponseBytes)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        try configure(sink: sink, headerList: &headerList)
        let code = withExtendedLifetime(sink) { curl_easy_perform(handle) }
        guard code == CURLE_OK else { throw error(for: code, sink: sink) }
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    private func configure(sink: CurlResponseSink, headerList: inout UnsafeMutablePointer<curl_slist>?) throws {
        try set(CURLOPT_URL, request.urlString)
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_NOSIGNAL, 1)  // signals are process-wide; timeouts must not use SIGALRM under threads
        try set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        try set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(configuration.connectTimeout))
        try set(CURLOPT_TIMEOUT_MS, milliseconds(timeout))
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile = configuration.caFile { try set(CURLOPT_CAINFO, caFile) }
        if let caPath = configuration.caPath { try set(CURLOPT_CAPATH, caPath) }
        try check(ccurl_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maxResponseBytes)))
        try check(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, sink.errorBuffer))
        let context = Unmanaged.passUnretained(sink).toOpaque()
        try check(ccurl_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, curlReceiveBody))
        try check(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
        try check(ccurl_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, curlReceiveHeader))
        try check(ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context))
        try configureMethodAndBody()
        headerList = requestHeaderList()
        try check(ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
    }

    private func configureMethodAndBody() throws {
        let method = request.method.uppercased()
        switch method {
        case "HEAD":
            try set(CURLOPT_NOBODY, 1)
        case "GET" where request.body.isEmpty:
            try set(CURLOPT_HTTPGET, 1)
        case "DELETE" where request.body.isEmpty:
            try set(CURLOPT_CUSTOMREQUEST, method)
        default:
            if method != "POST" { try set(CURLOPT_CUSTOMREQUEST, method) }
            try set(CURLOPT_POST, 1)
            try check(ccurl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            // COPYPOSTFIELDS copies the bytes (binary-safe with the size above), so nothing must outlive this call.
            let bytes = request.body.isEmpty ? Data([0]) : request.body  // a valid pointer even for an empty body
            try check(
                bytes.withUnsafeBytes {
                    ccurl_setopt_pointer(
                        handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress))
                })
        }
    }

    /// The request's headers for libcurl, plus suppressions of the headers libcurl would add on its own.
    private func requestHeaderList() -> UnsafeMutablePointer<curl_slist>? {
        var lines = request.headers.map { $0.value.isEmpty ? "\($0.name);" : "\($0.name): \($0.value)" }
        lines.append("Expect:")  // no 100-continue round trip: AWS bodies here are small, and it confuses some proxies
        if request.header("Content-Type") == nil { lines.append("Content-Type:") }
        if request.header("Accept") == nil { lines.append("Accept:") }
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines { list = curl_slist_append(list, line) }
        return list
    }

    private func set(_ option: CURLoption, _ value: String) throws {
        try check(ccurl_setopt_string(handle, option, value))
    }

    private func set(_ option: CURLoption, _ value: Int) throws {
        try check(ccurl_setopt_long(handle, option, value))
    }

    private func check(_ code: CURLcode) throws {
        guard code == CURLE_OK else {
            throw TransportError(
                kind: .other, host: request.host,
                message: String(cString: curl_easy_strerror(code)), curlCode: Int(code.rawValue))
        }
    }

    private func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    /// Maps a libcurl failure to a `TransportError` kind with curl's own message.
    private func error(for code: CURLcode, sink: CurlResponseSink) -> TransportError {
        let buffered = String(cString: sink.errorBuffer)
        let message = buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered
        let kind: TransportError.Kind
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            kind = .connectFailed
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timedOut
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING:
            kind = .connectionReset
        case CURLE_PARTIAL_FILE:
            kind = .truncated
        case CURLE_FILESIZE_EXCEEDED:
            kind = .tooLarge
        case CURLE_WRITE_ERROR where sink.overCap:
            kind = .tooLarge
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_CRL_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CLIENTCERT:
            kind = .tls
        default:
            kind = .other
        }
        return TransportError(kind: kind, host: request.host, message: message, curlCode: Int(code.rawValue))
    }
}

/// Collects one response's headers and body from libcurl's callbacks, enforcing the size cap.
final class CurlResponseSink {
    let cap: Int
    var body = Data()
    var headers: [HTTPHeader] = []
    var overCap = false
    /// libcurl's CURLOPT_ERRORBUFFER: must stay allocated while the handle may write to it.
    let errorBuffer: UnsafeMutablePointer<CChar>

    init(cap: Int) {
        self.cap = cap
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        errorBuffer.deallocate()
    }

    /// Takes one header line; a status line starts a new header block (after `100 Continue` or an interim response).
    func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        let line = String(decoding: bytes[0..<end], as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            headers.removeAll()
        } else if line.first == " " || line.first == "\t", !headers.isEmpty {
            headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
        } else if let colon = line.firstIndex(of: ":") {
            headers.append(
                HTTPHeader(
                    String(line[..<colon]),
                    line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
    }
}

/// CURLOPT_WRITEFUNCTION: appends body bytes, or returns 0 (aborting with CURLE_WRITE_ERROR) past the cap.
private func curlReceiveBody(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
    _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<CurlResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard sink.body.count + length <= sink.cap else {
        sink.overCap = true
        return 0
    }
    sink.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length)
    return length
}

/// CURLOPT_HEADERFUNCTION: hands each header line to the sink.
private func curlReceiveHeader(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
    _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<CurlResponseSink>.fromOpaque(context).takeUnretainedValue()
    sink.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
    return size * count
}
