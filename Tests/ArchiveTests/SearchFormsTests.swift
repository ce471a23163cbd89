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
}
