import Foundation
import Testing

@testable import Daemon

@Suite struct DaemonConfigTests {
    /// The repository's documented config must describe exactly the built-in defaults.
    @Test func shippedConfigIsTheDefaults() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/aurorad.toml").path
        #expect(try DaemonConfig.load(path: path) == DaemonConfig())
    }

    @Test func readsEveryKind() throws {
        let config = try DaemonConfig.parse(
            """
            # comment
            [daemon]
            database = "/tmp/a.db"   # trailing comment
            socket = '/tmp/a.sock'
            socket_group = "ops"
            allowed_uids = [1000, 1001]
            allowed_gids = [
              50,
            ]
            log_level = "debug"
            log_format = "json"
            workers = 2
            [reconcile]
            resync_interval = 60
            poll_interval = 5
            [aws]
            region = "eu-west-1"
            requests_per_second = 2.5
            ca_file = "/etc/ssl/ca.pem"
            """, path: "t.toml")
        #expect(config.database == "/tmp/a.db")
        #expect(config.socket == "/tmp/a.sock")
        #expect(config.socketGroup == "ops")
        #expect(config.allowedUIDs == [1000, 1001])
        #expect(config.allowedGIDs == [50])
        #expect(config.logLevel == "debug")
        #expect(config.logFormat == .json)
        #expect(config.workers == 2)
        #expect(config.resyncInterval == .seconds(60))
        #expect(config.pollInterval == .seconds(5))
        #expect(config.region == "eu-west-1")
        #expect(config.awsRate.perSecond == 2.5)
        #expect(config.caFile == "/etc/ssl/ca.pem")
    }

    @Test func readsARatePerServiceUnderItsOwnTable() throws {
        let config = try DaemonConfig.parse(
            """
            [aws]
            requests_per_second = 30
            burst = 400
            [aws.rds]
            requests_per_second = 6
            [ aws . iam ]
            burst = 50
            [aws.s3]
            requests_per_second = 2.5
            burst = 5
            """, path: "t.toml")
        #expect(config.awsRate == RequestRate(perSecond: 30, burst: 400))
        var expected = AWSServiceRates()
        expected.rds.perSecond = 6
        expected.iam.burst = 50
        expected.s3 = RequestRate(perSecond: 2.5, burst: 5)
        #expect(config.awsServiceRates == expected)
        // What is not set keeps its documented default.
        #expect(config.awsServiceRates.rds.burst == 300)
        #expect(config.awsServiceRates.ec2 == RequestRate(perSecond: 5, burst: 50))
    }

    @Test(arguments: [
        ("[daemon]\ndatabse = \"/x\"", "daemon.databse: unknown key"),
        ("[daemon]\nworkers = \"4\"", "daemon.workers: expected an integer, found a string"),
        ("[daemon]\nworkers = 0", "daemon.workers: 0 is out of range 1…64"),
        ("[daemon]\ndatabase = \"relative.db\"", "daemon.database: \"relative.db\" must be an absolute path"),
        ("[daemon]\nlog_level = \"loud\"", "daemon.log_level: \"loud\" is not one of"),
        ("[daemon]\nlog_format = \"xml\"", "daemon.log_format: \"xml\" is not one of auto, text, journal, json"),
        ("[daemon]\nallowed_uids = [-1]", "daemon.allowed_uids: every entry must be a numeric id"),
        ("[daemon]\ndatabase = \"/x", "line 2: unterminated string"),
        ("[daemon]\nworkers = 4 5", "line 2: unexpected \"5\" after the value"),
        ("[daemon]\nworkers = 4\nworkers = 5", "line 3: key daemon.workers is defined twice"),
        ("[daemon]\n[daemon]", "line 2: table [daemon] is defined twice"),
        ("daemon.workers = 4", "line 1: dotted keys are not supported"),
        ("[aws]\nregion = {a = 1}", "line 2: inline tables are not supported"),
        ("[daemon]\nallowed_uids = [1, \"2\"]", "line 2: array mixes integer and string values"),
        ("[daemon]\nsocket = yes", "line 2: \"yes\" is not a value: quote strings"),
        ("[[daemon]]", "line 1: arrays of tables are not supported"),
        ("[metrics]\nlisten = \"0.0.0.0:9464\"", "metrics.listen: 0.0.0.0 is not a loopback address"),
        ("[metrics]\nlisten = \"192.168.1.5:9464\"", "metrics.listen: 192.168.1.5 is not a loopback address"),
        ("[metrics]\nlisten = 70000", "metrics.listen: \"70000\" is not HOST:PORT or PORT"),
        ("[metrics]\nlisten = \"127.0.0.1:\"", "metrics.listen: \"127.0.0.1:\" is not HOST:PORT or PORT"),
        ("[metrics]\nlisten = true", "metrics.listen: expected a string such as \"127.0.0.1:9464\" or a port"),
        ("[metrics]\nport = 9464", "metrics.port: unknown key"),
        ("[aws.rds]\nrequests_per_second = 0", "aws.rds.requests_per_second: 0.0 is out of range 0.1…1000.0"),
        ("[aws.iam]\nburst = 0", "aws.iam.burst: 0 is out of range 1…10000"),
        ("[aws.ec2]\nburst = 2.5", "aws.ec2.burst: expected an integer, found a float"),
        ("[aws.sts]\nrequests_per_second = \"fast\"", "aws.sts.requests_per_second: expected a number, found a string"),
        ("[aws.dynamodb]\nburst = 5", "aws.dynamodb.burst: unknown key"),
        ("[aws.rds]\nrate = 5", "aws.rds.rate: unknown key"),
        ("[aws.]\nburst = 5", "line 1: expected a key"),
        ("[aws.rds]\n[aws.rds]", "line 2: table [aws.rds] is defined twice"),
    ])
    func rejectsBadInput(text: String, expected: String) {
        #expect {
            _ = try DaemonConfig.parse(text, path: "bad.toml")
        } throws: { error in
            String(describing: error).contains(expected) && String(describing: error).contains("bad.toml")
        }
    }

    @Test func metricsEndpointIsOffByDefaultAndTakesALoopbackAddressOrAPort() throws {
        #expect(DaemonConfig().metricsListen == nil)
        #expect(try DaemonConfig.parse("[metrics]\nlisten = \"\"", path: "t.toml").metricsListen == nil)
        let address = try DaemonConfig.parse("[metrics]\nlisten = \"127.0.0.1:9464\"", path: "t.toml").metricsListen
        #expect(address?.description == "127.0.0.1:9464")
        #expect(
            try DaemonConfig.parse("[metrics]\nlisten = 9100", path: "t.toml").metricsListen?.description
                == "127.0.0.1:9100")
        #expect(
            try DaemonConfig.parse("[metrics]\nlisten = \"9100\"", path: "t.toml").metricsListen?.description
                == "127.0.0.1:9100")
    }

    @Test func reportsEveryProblemAtOnce() {
        #expect {
            _ = try DaemonConfig.parse("[daemon]\nworkers = 0\nlog_level = 3\nnope = 1", path: "x.toml")
        } throws: { error in
            (error as? ConfigError)?.problems.count == 3
        }
    }

    @Test func missingFileIsAClearError() {
        #expect {
            _ = try DaemonConfig.load(path: "/nonexistent/aurorad.toml")
        } throws: { error in
            String(describing: error).contains("/nonexistent/aurorad.toml")
                && String(describing: error).contains("cannot be read")
        }
    }
}
