import ArabicText
import Foundation
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
        let text = "وصل للانسحاب بغداد للانسحاب الأميركية لداعش بغداد"
        let expected = SearchDocument([text], cache: SearchFormsCache(capacity: 1_000))
        #expect(expected.stems == "وصل انسحاب بغداد انسحاب اميركيه لداعش بغداد")
        #expect(expected.variants == "لانسحاب غداد لانسحاب داعش غداد")
        #expect(expected.skeletons == "انسحب بجدد انسحب امركه لدعش بجدد")
        let cache = SearchFormsCache(capacity: 3)
        #expect(SearchDocument([text], cache: cache) == expected)  // six distinct words: the table starts afresh
        #expect(cache.count <= 6)
        #expect(SearchDocument([text], cache: cache) == expected)  // from the table, or worked out again: the same
        #expect(SearchDocument(["بغداد"], cache: cache).stems == "بغداد")
    }

    /// The seed articles' lines: real Arabic news text, with diacritics, digits, Latin and
    /// punctuation.
    static let seedLines: [String] = {
        let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("seeds").path
        return try! FileManager.default.contentsOfDirectory(atPath: seeds).filter { $0.hasSuffix(".txt") }.sorted().flatMap { name in
            try! String(contentsOfFile: seeds + "/" + name, encoding: .utf8).split(separator: "\n").map(String.init)
        }
    }()

    /// Each column is every word's form in order, separated by single spaces: the stem of each
    /// word, the variants of those that have any, the skeletons of those that have one. Checked on
    /// the seeds against the forms worked out word by word, with a memo shared across calls and
    /// one small enough to start afresh in the middle of a text.
    /// The columns worked out word by word.
    static func expectedColumns(_ lines: [String]) -> (stems: [String], variants: [String], skeletons: [String]) {
        var stems: [String] = []
        var variants: [String] = []
        var skeletons: [String] = []
        for line in lines {
            for token in ArabicTokenizer.tokens(of: line) {
                let forms = SearchForms(normalizedWord: token.text)
                stems.append(forms.stem)
                variants += forms.variants
                if let skeleton = forms.skeleton { skeletons.append(skeleton) }
            }
        }
        return (stems, variants, skeletons)
    }

    @Test func aDocumentsColumnsAreItsWordsFormsInOrder() {
        let (stems, variants, skeletons) = Self.expectedColumns(Self.seedLines)
        #expect(stems.count > 2_000 && variants.count > 100 && skeletons.count > 500)
        for cache in [SearchFormsCache(), SearchFormsCache(capacity: 50)] {
            for _ in 0..<2 {
                let document = SearchDocument(Self.seedLines, cache: cache)
                #expect(document.stems == stems.joined(separator: " "))
                #expect(document.variants == variants.joined(separator: " "))
                #expect(document.skeletons == skeletons.joined(separator: " "))
            }
        }
        #expect(SearchDocument([], cache: SearchFormsCache()) == SearchDocument([""], cache: SearchFormsCache()))
        #expect(SearchDocument(["", "..."]).stems.isEmpty)
    }

    /// Runs of letters far longer than any word (hostile input: a line of one letter repeated)
    /// get their forms like any word, and are not kept: the memo's entries hold lengths of 16 bits.
    @Test func wordsLongerThanAnyWordAreIndexedAndNotKept() {
        let lines = [
            "وصل " + String(repeating: "ب", count: 100_000) + " للانسحاب",
            "والمدينة وال" + String(repeating: "ك", count: 70_000) + "ية بغداد",
        ]
        let (stems, variants, skeletons) = Self.expectedColumns(lines)
        let cache = SearchFormsCache()
        for _ in 0..<2 {
            let document = SearchDocument(lines, cache: cache)
            #expect(document.stems == stems.joined(separator: " "))
            #expect(document.variants == variants.joined(separator: " "))
            #expect(document.skeletons == skeletons.joined(separator: " "))
        }
        #expect(cache.count == 4)
    }
}
