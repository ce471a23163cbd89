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

    /// The month named at `tokens[index...]`, and how many tokens the name takes.
    static func month(in tokens: [String], at index: Int) -> (month: Int, length: Int)? {
        for (words, month) in table where index + words.count <= tokens.count {
            var matches = true
            for (offset, word) in words.enumerated() {
                let token = tokens[index + offset]
                // The first word may carry a proclitic: «بكانون», «في» is a separate word.
                if token != word && !(offset == 0 && Proclitics.stems(of: token, minimumStem: 2).contains(word)) {
                    matches = false
                    break
                }
            }
            if matches { return (month, words.count) }
        }
        return nil
    }
}
