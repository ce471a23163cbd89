/// A calendar date as written in an article, with how much of it was given.
public struct WrittenDate: Sendable, Equatable {
    public enum Precision: String, Sendable { case day, month, year }
    public let year: Int
    public let month: Int?
    public let day: Int?

    public init(year: Int, month: Int?, day: Int?) {
        self.year = year
        self.month = month
        self.day = day
    }

    public var precision: Precision { day != nil ? .day : (month != nil ? .month : .year) }

    /// ISO 8601 form: `2024-10-26`, `2024-10` or `2024`.
    public var iso: String {
        var text = String(format4(year))
        if let month { text += "-" + pad2(month) }
        if let day { text += "-" + pad2(day) }
        return text
    }

    private func format4(_ value: Int) -> String { String(repeating: "0", count: max(0, 4 - String(value).count)) + String(value) }
    private func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

/// Reads a fully written date out of a short text such as a «تاريخ النشر:» line:
/// «26th, October 2024 GMT», «السبت 26 أكتوبر 2024», «٢٦ تشرين الأول/أكتوبر ٢٠٢٤»,
/// «2024-10-26T08:00», «26/10/2024». Returns `nil` when no year-bearing date is there.
public enum ExplicitDateParser {
    public static func parse(_ text: String) -> WrittenDate? {
        let normalized = ArabicNormalizer.normalize(text)
        let raw = normalized.text
        if let numeric = numericDate(in: raw) { return numeric }

        let words = ArabicTokenizer.tokens(of: normalized).map { strippingOrdinal($0.text) }
        var day: Int?
        var month: Int?
        var year: Int?
        var index = 0
        while index < words.count {
            let word = words[index]
            if month == nil, let found = MonthNames.month(in: words, at: index) {
                month = found.month
                index += found.length
                continue
            }
            if let number = Int(word) {
                if word.count == 4, (1900...2100).contains(number), year == nil {
                    year = number
                } else if word.count <= 2, (1...31).contains(number), day == nil, year == nil {
                    day = number
                }
            }
            index += 1
        }
        guard let year else { return nil }
        guard let month else { return WrittenDate(year: year, month: nil, day: nil) }
        if let day, day <= daysIn(month: month, year: year) {
            return WrittenDate(year: year, month: month, day: day)
        }
        return WrittenDate(year: year, month: month, day: nil)
    }

    /// `2024-10-26`, `2024/10/26`, `26/10/2024`, `26-10-2024`, `26.10.2024`.
    static func numericDate(in text: String) -> WrittenDate? {
        let scalars = text.scalarArray
        var index = 0
        while index < scalars.count {
            guard isDigit(scalars[index]), index == 0 || !isDigit(scalars[index - 1]) else {
                index += 1
                continue
            }
            var groups: [Int] = []
            var widths: [Int] = []
            var position = index
            var separator: Unicode.Scalar?
            while groups.count < 3 {
                let start = position
                while position < scalars.count, isDigit(scalars[position]) { position += 1 }
                guard position > start, position - start <= 4 else { break }
                groups.append(Int(String(scalars: scalars[start..<position]))!)
                widths.append(position - start)
                guard groups.count < 3, position < scalars.count else { break }
                let next = scalars[position]
                guard next == "-" || next == "/" || next == ".", separator == nil || separator == next else { break }
                separator = next
                position += 1
            }
            if groups.count == 3 {
                let (year, month, day): (Int, Int, Int) =
                    widths[0] == 4 ? (groups[0], groups[1], groups[2]) : (groups[2], groups[1], groups[0])
                if (widths[0] == 4 || widths[2] == 4), (1900...2100).contains(year), (1...12).contains(month),
                    (1...daysIn(month: month, year: year)).contains(day)
                {
                    return WrittenDate(year: year, month: month, day: day)
                }
            }
            index = max(position, index + 1)
        }
        return nil
    }

    static func strippingOrdinal(_ word: String) -> String {
        for suffix in ["st", "nd", "rd", "th"] where word.hasSuffix(suffix) {
            let stem = word.dropLast(2)
            if !stem.isEmpty, stem.allSatisfy(\.isNumber) { return String(stem) }
        }
        return word
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 0x30 && scalar.value <= 0x39 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
