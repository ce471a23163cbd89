import ArabicText
import Testing

/// The fast scalar helpers give what the standard library's views give.
@Suite struct ScalarStringTests {
    static let texts = [
        "", "a", "مرصد", "«الأنبار» — 12 آذار 2024", "e\u{0301}t\u{00E9}", "🇸🇾 سوريا 🇮🇶",
        "\u{0000}\u{007F}\u{0080}\u{07FF}\u{0800}\u{FFFF}\u{10000}\u{10FFFF}",
        "وَالْعِرَاقُ ـــ", String(repeating: "الجيش العراقي ", count: 40),
    ]

    @Test(arguments: texts)
    func scalarsDecodeAndEncodeAsTheStandardLibraryDoes(text: String) {
        #expect(text.scalarArray == Array(text.unicodeScalars))
        #expect(text.scalarCount == text.unicodeScalars.count)
        #expect(String(scalars: text.scalarArray) == text)
        #expect(String(scalars: text.scalarArray).utf8.elementsEqual(text.utf8))
        let scalars = Array(text.unicodeScalars)
        if scalars.count > 2 {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[1..<(scalars.count - 1)])
            #expect(String(scalars: scalars[1..<(scalars.count - 1)]) == String(view))
        }
    }

    @Test func wordKeysCompareBytes() {
        #expect(WordKey("العراق") == WordKey("العراق"))
        #expect(WordKey("العراق") != WordKey("العراقي"))
        #expect(WordKey("") == WordKey(""))
        // Canonically equivalent but different bytes: different keys (normalised text has one form).
        #expect(WordKey("\u{00E9}") != WordKey("e\u{0301}"))
        #expect(Set([WordKey("بغداد"), WordKey("بغداد"), WordKey("دمشق")]).count == 2)
    }
}
