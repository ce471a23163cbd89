import Foundation
import Testing

@testable import Archive

/// The reception time the drop-latency metric reads from a record's bytes without decoding it.
@Suite struct DropLatencyTests {
    @Test func theFirstFilesReceptionTimeIsFoundPastALongBody() throws {
        let body = String(repeating: "أعلنت وزارة الدفاع انسحاب القوات من قاعدة عين الأسد. ", count: 300)
        let record =
            #"{"paragraphs":["\#(body)"],"files":[{"name":"a.txt","received_at":"2026-11-23T07:00:00.250Z"},"#
            + #"{"name":"b.txt","received_at":"2026-11-23T08:00:00.000Z"}]}"#
        let received = try #require(DropLatency.receivedAt(Data(record.utf8)))
        #expect(received == Date(timeIntervalSince1970: 1_795_417_200.25))
    }

    @Test func aRecordWithoutOneGivesNothing() {
        #expect(DropLatency.receivedAt(Data(#"{"paragraphs":["لا وقت هنا"]}"#.utf8)) == nil)
        #expect(DropLatency.receivedAt(Data(#"{"files":[{"received_at":""#.utf8)) == nil)
        #expect(DropLatency.receivedAt(Data(#"{"files":[{"received_at":"not a time"}]}"#.utf8)) == nil)
        #expect(DropLatency.receivedAt(Data()) == nil)
    }
}
