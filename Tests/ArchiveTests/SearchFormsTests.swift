import ArabicText
import Testing

@Suite struct SearchFormsTests {
    func forms(_ word: String) -> SearchForms { SearchForms(normalizedWord: ArabicNormalizer.normalizedString(word)) }

    @Test func theArticleAndFusedPrepositionsShareOneStem() {
        #expect(forms("الانسحاب").stem == "انسحاب")
        #expect(forms("للانسحاب").stem == "انسحاب")
        #expect(forms("بالانسحاب").stem == "انسحاب")
        #expect(forms("وبالانسحاب").stem == forms("انسحاب").stem)
    }

    @Test func aSinglePrepositionIsAVariantNotTheStem() {
        #expect(forms("لداعش").stem == "لداعش")
        #expect(forms("لداعش").variants.contains("داعش"))
        #expect(forms("بغداد").stem == "بغداد")
    }

    @Test func vowelLetterAndTransliterationVariantsShareASkeleton() {
        #expect(forms("الأمريكية").skeleton == forms("الأميركية").skeleton)
        #expect(forms("الأمريكيه").skeleton == forms("الأميركية").skeleton)
        #expect(forms("البنتاغون").skeleton == forms("البنتاجون").skeleton)
        #expect(forms("قسد").skeleton == nil)
    }

    @Test func theCacheGivesEachWordItsOwnFormsInOrderAndStaysBounded() {
        let words = ["للانسحاب", "بغداد", "للانسحاب", "الأميركية", "لداعش", "بغداد"].map(ArabicNormalizer.normalizedString)
        let cache = SearchFormsCache(capacity: 3)
        let expected = words.map { SearchForms(normalizedWord: $0) }
        #expect(cache.forms(of: words) == expected)  // four distinct words: computed, then the table starts afresh
        #expect(cache.forms(of: words) == expected)  // from the table, or computed again: the same forms
        #expect(cache.forms(of: Array(words.prefix(2))) == Array(expected.prefix(2)))
        #expect(cache.forms(of: []).isEmpty)
        #expect(SearchDocument(["وصل للانسحاب بغداد"], cache: cache).stems == "وصل انسحاب بغداد")
    }
}
