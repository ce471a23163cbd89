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

    /// `hasAtMost(characters:)` answers as `count <= limit` does, whether the scalars settle it
    /// (plain letters) or the characters must be counted (vowel signs, a prepended Arabic number
    /// sign, emoji joined by ZWJ, flags, CR LF).
    @Test(arguments: [
        "قال المتحدث باسم الوزارة إن الاجتماع سيعقد غدا في بغداد",
        "مُحَمَّدٌ رَسُولُ اللَّهِ وَالَّذِينَ مَعَهُ أَشِدَّاءُ عَلَى الْكُفَّارِ",
        "\u{0600}١٢٣ \u{0600}\u{0600}٤٥ العدد",
        "👨‍👩‍👧‍👦👨‍👩‍👧‍👦 🇸🇾🇮🇶 family",
        "line\r\nnext\r\nthird",
        "e\u{0301}e\u{0301}e\u{0301} plain ascii text here",
        "",
    ])
    func hasAtMostCountsCharactersAsCountDoes(text: String) {
        for base in [text, String(repeating: text, count: 3)] {
            for limit in 0...(base.count + 2) { #expect(base.hasAtMost(characters: limit) == (base.count <= limit), "\(limit)") }
            #expect(base[...].hasAtMost(characters: base.count))
        }
    }

    /// Keys hash their bytes themselves (8 at a time, then the tail): words that differ only in
    /// their last byte, at every length around the 8-byte steps, stay apart in a table, and a
    /// table of thousands of words finds each one and nothing else.
    @Test func wordKeysHashEveryByteAndFindEachWordInALargeTable() {
        var words: [String] = []
        for length in 1...20 {
            for last in ["ا", "ب", "ت"] { words.append(String(repeating: "س", count: length) + last) }
            words.append(String(repeating: "x", count: length))
            words.append(String(repeating: "x", count: length - 1) + "y")
        }
        let letters = Array("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")
        for a in letters { for b in letters { for c in letters.prefix(8) { words.append(String([a, b, c])) } } }
        #expect(Set(words.map(WordKey.init)).count == Set(words).count)
        var table: [WordKey: Int] = [:]
        for (index, word) in words.enumerated() where table[WordKey(word)] == nil { table[WordKey(word)] = index }
        for word in words { #expect(table[WordKey(word)].map { words[$0] } == word) }
        #expect(table[WordKey("غير موجود")] == nil)
        #expect(WordKey("العراق").hashValue == WordKey("العراق").hashValue)
    }

    /// The memo shared by threads gives each word the value worked out from it, in order, once
    /// per word while it holds it, and starts afresh past its capacity.
    @Test func aSharedWordMemoComputesEachWordOnceAndStaysBounded() {
        let memo = SharedWordMemo<Int>(capacity: 4)
        var computed: [String] = []
        let words = ["بغداد", "دمشق", "بغداد", "عمان"]
        #expect(
            memo.values(of: words) {
                computed.append($0); return $0.unicodeScalars.count
            } == [5, 4, 5, 4])
        #expect(computed == ["بغداد", "دمشق", "عمان"])
        #expect(
            memo.values(of: ["دمشق"]) {
                computed.append($0); return 0
            } == [4])
        #expect(computed.count == 3)
        #expect(memo.values(of: ["القاهرة", "الرباط"]) { $0.unicodeScalars.count } == [7, 6])
        #expect(memo.count == 2)  // five words would not fit: the table started again with the new two
        #expect(memo.values(of: []) { _ in 0 }.isEmpty)
    }
}
