import Foundation
import Testing
import TestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The emulator fixture starts the Python emulator, reports where it is and with which keys, and stops it by pid.
@Suite struct EmulatorProcessTests {
    @Test func startsWithCredentialsAndTheDemoWorldThenStops() throws {
        let emulator = try EmulatorProcess()
        #expect(emulator.endpoint == "http://127.0.0.1:\(emulator.port)")
        #expect(emulator.adminCredentials.accessKeyId.hasPrefix("AKIA"))
        #expect(emulator.adminCredentials != emulator.limitedCredentials)
        #expect(emulator.environment["AWS_ENDPOINT_URL"] == emulator.endpoint)
        #expect(emulator.environment["AWS_ACCESS_KEY_ID"] == emulator.adminCredentials.accessKeyId)
        #expect(emulator.environment["AWS_REGION"] == "eu-west-1")
        #expect(emulator.environment["AWS_EC2_METADATA_DISABLED"] == "true")

        let info = try Data(contentsOf: URL(string: emulator.endpoint + "/_emulator/info")!)
        let json = try #require(try JSONSerialization.jsonObject(with: info) as? [String: Any])
        let demo = try #require(json["Demo"] as? [String: Any])
        #expect(demo["Bucket"] as? String == "aurorad-demo-backups")
        #expect(demo["DBSubnetGroupName"] as? String == "aurorad-demo-subnets")

        let logPath = emulator.logPath
        emulator.stop()
        #expect(!FileManager.default.fileExists(atPath: logPath))
        #expect(throws: (any Error).self) {
            _ = try Data(contentsOf: URL(string: emulator.endpoint + "/_emulator/info")!)
        }
    }
}
