import Testing

@testable import MarsadStream

/// The journal's checksum against published CRC-32C values and a bit-at-a-time reference.
@Suite struct CRC32CTests {
    func checksum(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { CRC32C.checksum($0) } }

    /// CRC-32C one bit at a time, straight from the polynomial.
    func reference(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }

    @Test func publishedValues() {
        // The check value of the CRC catalogue, and the iSCSI vectors of RFC 3720, B.4.
        #expect(checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(checksum((0..<32).map(UInt8.init)) == 0x46DD_794E)
        #expect(checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
        #expect(checksum([]) == 0)
    }

    @Test func everyLengthAndAlignmentMatchesTheReference() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) } + Array("انسحبت القوات".utf8)
        for start in 0..<9 {
            for end in stride(from: start, through: bytes.count, by: 7) {
                let slice = bytes[start..<end]
                let crc = slice.withUnsafeBytes { CRC32C.checksum($0) }
                #expect(crc == reference(slice), "bytes \(start)..<\(end)")
            }
        }
    }
}
