import Testing

@testable import ArticleParsing

/// Marker prefixes («تاريخ النشر», «بقلم») are matched on line keys by their bytes: a prefix
/// counts when the key starts with it and the word ends there.
@Suite struct LineKeyTests {
    @Test func aPrefixMatchesWholeWordsOnly() {
        let key = LineKey.make("تاريخ النشر: 12 آذار 2024")
        #expect(LineKey.hasWordPrefix(key, LineKey.make("تاريخ النشر")))
        #expect(LineKey.hasWordPrefix(key, LineKey.make("تاريخ")))
        #expect(!LineKey.hasWordPrefix(key, LineKey.make("تاري")))  // the word goes on with a letter
        #expect(!LineKey.hasWordPrefix(LineKey.make("بقلم2"), LineKey.make("بقلم")))  // or a digit
        #expect(!LineKey.hasWordPrefix(LineKey.make("بقلم٢"), LineKey.make("بقلم")))  // Arabic-Indic too
        #expect(LineKey.hasWordPrefix(LineKey.make("بقلم"), LineKey.make("بقلم")))  // the whole key
        #expect(LineKey.hasWordPrefix(LineKey.make("بقلم: سامر"), LineKey.make("بقلم")))
        #expect(!LineKey.hasWordPrefix(key, ""))
        #expect(!LineKey.hasWordPrefix(LineKey.make("نشر في"), LineKey.make("تاريخ النشر")))
    }

    @Test func keysAreNormalisedSoSpellingsOfAPrefixMeet() {
        // «إ» and «ا», «ة» and «ه» meet in the normalised key: the bytes then compare equal.
        #expect(LineKey.hasWordPrefix(LineKey.make("إعداد: فريق التحرير"), LineKey.make("اعداد")))
        #expect(LineKey.hasWordPrefix(LineKey.make("الصورة:  أرشيف"), LineKey.make("الصوره")))
    }
}
