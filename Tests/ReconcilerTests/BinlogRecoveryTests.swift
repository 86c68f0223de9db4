import Reconciler
import StatusModel
import Testing

@Suite("Binlog position for the cutover")
struct BinlogRecoveryTests {
    /// The guide names the event by its opening words only, so quoted and unquoted forms are both read.
    @Test(arguments: [
        "Recovered from Binary log filename 'mysql-bin-changelog.000003', position '4278'.",
        "Recovered from Binary log filename mysql-bin-changelog.000003, position 4278",
        "Recovered from Binary log filename 'mysql-bin-changelog.000003' position 4278.",
    ])
    func rdsEventMessage(message: String) {
        #expect(
            BinlogRecovery.position(inEvent: message)
                == BinlogPosition(source: "rds-event", file: "mysql-bin-changelog.000003", position: 4278))
    }

    @Test(arguments: [
        "Restored from Amazon S3 backup", "Recovered from Binary log filename '', position '4'.",
        "Recovered from Binary log filename 'a', position 'x'.", "Recovered from Binary log filename 'a b', position 4",
        "Recovered from Binary log filename 'mysql-bin.000003'",
    ])
    func otherMessagesHaveNoPosition(message: String) {
        #expect(BinlogRecovery.position(inEvent: message) == nil)
    }

    @Test func xtrabackupInfoLine() {
        let info = "uuid = 1\nbinlog_pos = filename 'mysql-bin.000003', position '154'\nserver_version = 5.7.12-log\n"
        #expect(
            BinlogRecovery.position(inXtrabackupInfo: info)
                == BinlogPosition(source: "xtrabackup_info", file: "mysql-bin.000003", position: 154))
        #expect(BinlogRecovery.position(inXtrabackupInfo: "binlog_pos = \nserver_version = 5.7.12\n") == nil)
        let gtid = "binlog_pos = filename 'binlog.000007', position '197', GTID of the last change 'a1b2:1-9'\n"
        #expect(
            BinlogRecovery.position(inXtrabackupInfo: gtid)
                == BinlogPosition(source: "xtrabackup_info", file: "binlog.000007", position: 197))
    }
}
