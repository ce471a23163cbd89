import Testing

@testable import ArabicText

@Suite struct ArabicNormalizerTests {
    /// The table that answers for scalars below U+0700 gives what the mapping itself gives, for
    /// every one of them, and the mapping answers above it.
    @Test func theLowTableAgreesWithTheMappingForEveryScalar() {
        func describe(_ mapping: ArabicNormalizer.Mapping?) -> String {
            switch mapping {
            case .drop: "drop"
            case .keep(let scalar): "keep \(scalar.value)"
            case nil: "ask"
            }
        }
        for value in UInt32(0)..<0x0800 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(describe(ArabicNormalizer.fastMap(scalar)) == describe(ArabicNormalizer.mapping(scalar)), "U+\(String(value, radix: 16))")
        }
        #expect(describe(ArabicNormalizer.fastMap("\u{0640}")) == "drop")
        #expect(describe(ArabicNormalizer.fastMap("\u{0623}")) == "keep \(0x0627)")
        #expect(describe(ArabicNormalizer.fastMap("\u{0675}")) == "ask")
    }

    func normalized(_ text: String) -> String { ArabicNormalizer.normalizedString(text) }

    @Test func alefFormsBecomeBareAlef() {
        #expect(normalized("أإآٱ") == "اااا")
        #expect(normalized("الأميركية") == normalized("الاميركيه"))
    }

    @Test func alefMaqsuraTehMarbutaAndPersianLettersAreUnified() {
        #expect(normalized("مصطفى") == "مصطفي")
        #expect(normalized("الأمريكية") == "الامريكيه")
        #expect(normalized("سوریا") == "سوريا")  // Persian yeh
        #expect(normalized("کتائب") == "كتائب")  // Persian keheh
    }

    @Test func harakatTatweelAndQuranicMarksAreDropped() {
        #expect(normalized("وأكَّد") == "واكد")
        #expect(normalized("روسيًّا") == "روسيا")
        #expect(normalized("الأخـــبار") == "الاخبار")
        #expect(normalized("قُرْآنٌ") == "قران")
    }

    @Test func digitsBecomeASCII() {
        #expect(normalized("٢٠٢٦") == "2026")
        #expect(normalized("۱۴۰۳") == "1403")
    }

    @Test func bidiAndZeroWidthMarksVanishAndQuotesAreUnified() {
        #expect(normalized("\u{200F}داعش\u{200C}") == "داعش")
        #expect(normalized("“النصرة” «قسد» ‘x’") == "\"النصره\" \"قسد\" 'x'")
    }

    @Test func compatibilityFormsAndLatinCaseFold() {
        #expect(normalized("\u{FEFB}") == "لا")  // lam-alef ligature
        #expect(normalized("SY24 ISIS") == "sy24 isis")
        #expect(normalized("Cafe\u{0301}") == normalized("Café"))
    }

    @Test func offsetsMapBackToTheOriginalTextIncludingDiacritics() {
        let original = "وأكَّد شويجو"
        let text = ArabicNormalizer.normalize(original)
        let tokens = ArabicTokenizer.tokens(of: text)
        #expect(tokens.map(\.text) == ["واكد", "شويجو"])
        let scalars = Array(original.unicodeScalars)
        func slice(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[range])) }
        #expect(slice(tokens[0].originalRange) == "وأكَّد")
        #expect(slice(tokens[1].originalRange) == "شويجو")
    }

    /// The tokenizer's table below U+0700 answers as its rules do, for every scalar; above it the
    /// rules answer.
    @Test func theTokenizersLowTableAgreesWithItsRules() {
        for value in UInt32(0)..<0x0800 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(ArabicTokenizer.isWordScalar(scalar) == ArabicTokenizer.isWordScalarSlowly(scalar), "U+\(String(value, radix: 16))")
        }
    }

    /// The paths without offsets give what the paths with them give: the same scalars, the
    /// same words.
    @Test func normalisingAndCuttingWordsWithoutOffsetsGivesTheSameWords() {
        let texts = [
            "وأكَّد «البنتاجون» أنّ الـقوات الأمريكية (٢٠٢٤) ستنسحب بحلول 26/10 — Pentagon’s ÉCOLE ¾",
            "لـ”البنتاجون”، (قسد) والأمم المتحدة وَ ﻻ ﷲ", "", "...",
        ]
        for text in texts {
            let scalars = ArabicNormalizer.normalizedScalars(text)
            #expect(scalars == ArabicNormalizer.normalize(text).scalars)
            #expect(ArabicTokenizer.words(ofNormalized: scalars) == ArabicTokenizer.tokens(of: text).map(\.text))
        }
    }

    @Test func tokensSplitOnPunctuationAndQuotes() {
        #expect(ArabicTokenizer.tokens(of: "لـ”البنتاجون”، (قسد)").map(\.text) == ["ل", "البنتاجون", "قسد"])
    }
}

@Suite struct ProcliticTests {
    @Test func conjunctionsAndPrepositionsAreStripped() {
        #expect(Proclitics.stems(of: "لداعش").contains("داعش"))
        #expect(Proclitics.stems(of: "بالعراق").contains("العراق"))
        #expect(Proclitics.stems(of: "وبغداد").contains("بغداد"))
        #expect(Proclitics.stems(of: "فسوريا").contains("سوريا"))
    }

    @Test func lamLamRestoresTheArticle() {
        #expect(Proclitics.stems(of: "للتحالف").contains("التحالف"))
        #expect(Proclitics.stems(of: "وللتحالف").contains("التحالف"))
    }

    @Test func theArticleItselfIsNeverStripped() {
        #expect(!Proclitics.stems(of: "بالعراق").contains("عراق"))
        #expect(!Proclitics.stems(of: "العراق").contains("عراق"))
    }

    @Test func shortStemsAreNotOffered() {
        #expect(Proclitics.stems(of: "سوريا", minimumStem: 5) == ["سوريا"])
        #expect(Proclitics.stems(of: "بل", minimumStem: 2) == ["بل"])
    }
}

@Suite struct ExplicitDateTests {
    @Test(arguments: [
        ("تاريخ النشر: 26th, October 2024 GMT", "2024-10-26"),
        ("السبت 26 أكتوبر 2024", "2024-10-26"),
        ("٢٦ تشرين الأول/أكتوبر ٢٠٢٤", "2024-10-26"),
        ("25 كانون الثاني 2024", "2024-01-25"),
        ("نشر في 2024-10-26T08:00:00Z", "2024-10-26"),
        ("26/10/2024", "2024-10-26"),
        ("October 26, 2024", "2024-10-26"),
        ("أيار 2023", "2023-05"),
        ("في عام 2014", "2014"),
    ])
    func readsWrittenDates(text: String, iso: String) {
        #expect(ExplicitDateParser.parse(text)?.iso == iso)
    }

    @Test func refusesTextWithoutAYearOrWithAnImpossibleDay() {
        #expect(ExplicitDateParser.parse("الخميس 25 من كانون الثاني") == nil)
        #expect(ExplicitDateParser.parse("31/02/2024")?.precision == .year)
        #expect(ExplicitDateParser.parse("30 فبراير 2024")?.precision == .month)
    }
}
