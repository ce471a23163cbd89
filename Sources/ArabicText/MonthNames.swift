/// Month names as they appear in Arabic and English news, in normalised spelling
/// (see `ArabicNormalizer`): the Egyptian/Gulf names (يناير…), the Levantine/Iraqi names
/// (كانون الثاني…), the Maghrebi and Algerian variants, and English names and abbreviations.
enum MonthNames {
    /// Word sequence → month number. Two-word Levantine names are listed as two words.
    static let table: [([String], Int)] = {
        var entries: [([String], Int)] = []
        func add(_ month: Int, _ names: String...) {
            for name in names { entries.append((name.split(separator: " ").map(String.init), month)) }
        }
        add(1, "يناير", "كانون الثاني", "جانفي", "january", "jan")
        add(2, "فبراير", "شباط", "فيفري", "february", "feb")
        add(3, "مارس", "اذار", "march", "mar")
        add(4, "ابريل", "نيسان", "افريل", "april", "apr")
        add(5, "مايو", "ايار", "ماي", "may")
        add(6, "يونيو", "يونيه", "حزيران", "جوان", "june", "jun")
        add(7, "يوليو", "يوليه", "تموز", "يوليوز", "جويليه", "july", "jul")
        add(8, "اغسطس", "اب", "غشت", "اوت", "august", "aug")
        add(9, "سبتمبر", "ايلول", "شتنبر", "september", "sep", "sept")
        add(10, "اكتوبر", "تشرين الاول", "october", "oct")
        add(11, "نوفمبر", "تشرين الثاني", "نونبر", "november", "nov")
        add(12, "ديسمبر", "كانون الاول", "دجنبر", "december", "dec")
        // Longest names first, so «كانون الثاني» is not read as a lone «كانون».
        return entries.sorted { $0.0.count > $1.0.count }
    }()

    /// First word → (the other words, month), longest names first.
    static let byFirstWord: [String: [(rest: [String], month: Int)]] = {
        var index: [String: [(rest: [String], month: Int)]] = [:]
        for (words, month) in table { index[words[0], default: []].append((Array(words.dropFirst()), month)) }
        return index
    }()

    /// The month named at `tokens[index...]`, and how many tokens the name takes.
    static func month(in tokens: [String], at index: Int) -> (month: Int, length: Int)? {
        // The first word may carry a proclitic: «بكانون»; «في» is a separate word.
        for first in Proclitics.stems(of: tokens[index], minimumStem: 2) {
            guard let candidates = byFirstWord[first] else { continue }
            for candidate in candidates where index + candidate.rest.count < tokens.count || candidate.rest.isEmpty {
                guard index + candidate.rest.count < tokens.count else { continue }
                var matches = true
                for (offset, word) in candidate.rest.enumerated() where !tokens[index + 1 + offset].utf8.elementsEqual(word.utf8) {
                    matches = false
                    break
                }
                if matches { return (candidate.month, candidate.rest.count + 1) }
            }
        }
        return nil
    }
}
