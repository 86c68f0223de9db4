import Testing

@testable import Reconciler

@Suite("Keys of the fleet observation")
struct LowercasedKeyTests {
    @Test("a key is the name lowercased, whether it had capitals, non-ASCII letters or neither")
    func lowercased() {
        let names = [
            "aurorad-s3-import-orders-0001", "Orders-Cluster-With-A-Long-Name", "ORDERS", "db-1", "", "ÄRGER-größe",
            "mixed-Ä",
        ]
        for name in names { #expect(name.lowercasedKey == name.lowercased()) }
    }
}
