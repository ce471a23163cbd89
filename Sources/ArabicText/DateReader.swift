/// How a publication date was established.
public enum DateBasis: String, Sendable {
    /// A line that states the date in full (a «تاريخ النشر:» line or a line that is only a date).
    case explicitLine = "explicit-line"
    /// A machine-readable field: HTML metadata, JSON-LD, a JSON article's date key.
    case metadata
    /// The wire dateline opening the first paragraph: «دمشق، 12 آذار 2024 (سانا) -».
    case dateline
    /// Weekday, day and month without a year: the latest year, not after the reference day, in
    /// which that day has that weekday.
    case weekdayInferred = "weekday-inferred"
    /// Relative to the reference day: «أمس», «منذ ساعتين», «25 الشهر الجاري», a day and month
    /// without a year.
    case relative
}

/// A date read from text, with how it was read.
public struct ReadDate: Sendable, Equatable {
    public let date: WrittenDate
    public let basis: DateBasis

    public init(date: WrittenDate, basis: DateBasis) {
        self.date = date
        self.basis = basis
    }
}

/// Reads dates the way news pages write them: full dates, dates without a year resolved against a
/// reference day (the day the file was received), and relative expressions.
public enum DateReader {
    /// Normalised weekday names, 0 = Sunday.
    static let weekdays: [String: Int] = [
        "الاحد": 0, "الاثنين": 1, "الثلاثاء": 2, "الاربعاء": 3, "الخميس": 4, "الجمعه": 5, "السبت": 6,
        "sunday": 0, "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6,
        "sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6,
    ]

    /// The same names, compared by their bytes (`WordKey`): a paragraph without any of them
    /// has no weekday date, which `leadDate` sees before reading date expressions word by word.
    static let weekdayNames = WordSet(weekdays.keys)

    /// Words that may stand on a date line besides the date itself.
    static let dateLineFiller: Set<String> = [
        "نشر", "نشرت", "تاريخ", "النشر", "اخر", "تحديث", "التحديث", "محدث", "بتوقيت", "توقيت", "في", "من", "يوم", "الساعه", "ساعه",
        "ص", "م", "صباحا", "مساء", "ظهرا", "عصرا", "غرينتش", "جرينتش", "دمشق", "بغداد", "مكه", "المكرمه", "القاهره", "gmt", "utc",
        "am", "pm", "published", "updated", "posted", "on", "at", "last", "date", "الموافق", "هـ", "ه", "الجاري", "الحالي", "عام",
        "سنه", "الشهر",
    ]

    /// «الجاري», «الحالي»: this month (or this year after «عام»).
    static let currentWords: Set<String> = ["الجاري", "الحالي"]

    /// A date expression found among tokens.
    struct Expression {
        var weekday: Int?
        var day: Int?
        var month: Int?
        var year: Int?
        var current = false
        /// Token indices it covers.
        var tokens: Range<Int>
    }

    /// Every date expression in `words` (normalised tokens), left to right.
    static func expressions(in words: [String]) -> [Expression] {
        var found: [Expression] = []
        var index = 0
        while index < words.count {
            var expression = Expression(tokens: index..<index)
            var position = index
            if let weekday = weekdays[words[position]] {
                expression.weekday = weekday
                position += 1
            }
            // day (من|في)? month (year)? | month day, year
            var day: Int?
            if position < words.count, words[position].count <= 2, let number = Int(ExplicitDateParser.strippingOrdinal(words[position])),
                (1...31).contains(number)
            {
                day = number
                position += 1
                if position < words.count, words[position] == "من" || words[position] == "of" { position += 1 }
            }
            if position < words.count, let month = MonthNames.month(in: words, at: position) {
                expression.month = month.month
                position += month.length
                // Paired forms: «كانون الاول/ديسمبر» — the second name must agree.
                if position < words.count, let second = MonthNames.month(in: words, at: position), second.month == month.month {
                    position += second.length
                }
                if day == nil, position < words.count, words[position].count <= 2,
                    let number = Int(ExplicitDateParser.strippingOrdinal(words[position])), (1...31).contains(number)
                {
                    day = number
                    position += 1
                }
                expression.day = day
                if position < words.count, words[position] == "عام" || words[position] == "سنه" { position += 1 }
                if position < words.count, words[position].count == 4, let year = Int(words[position]), (1900...2100).contains(year) {
                    expression.year = year
                    position += 1
                } else if position < words.count, currentWords.contains(words[position]) {
                    expression.current = true
                    position += 1
                }
                expression.tokens = index..<position
                found.append(expression)
                index = position
                continue
            }
            // «25 الشهر الجاري», «25 من الشهر الحالي»
            if let day, position + 1 < words.count, words[position] == "الشهر", currentWords.contains(words[position + 1]) {
                expression.day = day
                expression.current = true
                expression.tokens = index..<(position + 2)
                found.append(expression)
                index = position + 2
                continue
            }
            index += 1
        }
        return found
    }

    /// Resolves an expression against the reference day.
    static func resolve(_ expression: Expression, reference: CalendarDay?) -> ReadDate? {
        if let year = expression.year, let month = expression.month {
            if let day = expression.day, CalendarDay.isValid(year: year, month: month, day: day) {
                return ReadDate(date: WrittenDate(year: year, month: month, day: day), basis: .explicitLine)
            }
            return ReadDate(date: WrittenDate(year: year, month: month, day: nil), basis: .explicitLine)
        }
        guard let reference, let day = expression.day else { return nil }
        if expression.current {
            let month = expression.month ?? reference.month
            guard CalendarDay.isValid(year: reference.year, month: month, day: day) else { return nil }
            return ReadDate(date: WrittenDate(year: reference.year, month: month, day: day), basis: .relative)
        }
        guard let month = expression.month else { return nil }
        if let weekday = expression.weekday {
            // The latest year, not after the reference day, in which that day has that weekday.
            for year in stride(from: reference.year, through: reference.year - 28, by: -1) {
                guard CalendarDay.isValid(year: year, month: month, day: day) else { continue }
                let candidate = CalendarDay(year: year, month: month, day: day)
                if candidate <= reference.adding(days: 1), candidate.weekday == weekday {
                    return ReadDate(date: candidate.writtenDate, basis: .weekdayInferred)
                }
            }
            return nil
        }
        for year in [reference.year, reference.year - 1] where CalendarDay.isValid(year: year, month: month, day: day) {
            let candidate = CalendarDay(year: year, month: month, day: day)
            if candidate <= reference.adding(days: 1) { return ReadDate(date: candidate.writtenDate, basis: .relative) }
        }
        return nil
    }

    /// The date of a line that holds nothing but a date and a few date-line words
    /// («الأحد، ١٤ كانون الثاني ٢٠٢٤», «2024-05-03 10:15», «نُشر في 5 أيار 2024 - 10:30 ص»,
    /// «منذ ساعتين», «أمس»), or `nil` when the line says something else as well.
    public static func dateLine(_ text: String, reference: Int?) -> ReadDate? {
        let words = ArabicTokenizer.tokens(of: text).map(\.text)
        guard !words.isEmpty, words.count <= 16 else { return nil }
        let referenceDay = reference.map(CalendarDay.init(unixSeconds:))
        if let relative = relativeDate(words, reference: reference) { return relative }
        let others = { (covered: Set<Int>) in
            words.indices.filter { index in
                !covered.contains(index) && !dateLineFiller.contains(words[index]) && !words[index].allSatisfy(\.isNumber)
                    && weekdays[words[index]] == nil
            }.count
        }
        if let numeric = ExplicitDateParser.numericDate(in: ArabicNormalizer.normalizedString(text)) {
            return others([]) <= 1 ? ReadDate(date: numeric, basis: .explicitLine) : nil
        }
        let found = expressions(in: words)
        guard let first = found.first, let date = resolve(first, reference: referenceDay) else { return nil }
        let covered = Set(found.flatMap { Array($0.tokens) })
        guard others(covered) <= 1 else { return nil }
        return date
    }

    /// «اليوم», «أمس», «منذ ساعتين», «منذ 3 أيام», «قبل ساعة», «yesterday», «2 hours ago»: the day
    /// they mean, counted back from the reference time (a Unix time).
    static func relativeDate(_ words: [String], reference: Int?) -> ReadDate? {
        guard let reference, words.count <= 6 else { return nil }
        func day(secondsBack: Int) -> ReadDate {
            ReadDate(date: CalendarDay(unixSeconds: reference - secondsBack).writtenDate, basis: .relative)
        }
        let hour = 3600
        let units: [String: (seconds: Int, count: Int?)] = [
            "دقيقه": (60, 1), "دقيقتين": (60, 2), "دقائق": (60, nil), "ثانيه": (1, 1), "ثوان": (1, nil), "ثواني": (1, nil),
            "ساعه": (hour, 1), "ساعتين": (hour, 2), "ساعات": (hour, nil), "يوم": (24 * hour, 1), "يومين": (24 * hour, 2),
            "ايام": (24 * hour, nil), "اسبوع": (168 * hour, 1), "اسبوعين": (168 * hour, 2),
            "minute": (60, 1), "minutes": (60, nil), "mins": (60, nil), "hour": (hour, 1), "hours": (hour, nil), "day": (24 * hour, 1),
            "days": (24 * hour, nil), "week": (168 * hour, 1), "weeks": (168 * hour, nil),
        ]
        // Every word must belong to the expression: «المصري اليوم» is an outlet, not today.
        let vocabulary: Set<String> = [
            "اليوم", "today", "الان", "امس", "البارحه", "yesterday", "منذ", "قبل", "ago", "نشر", "تحديث", "اخر", "في", "الساعه", "ص", "م", "am", "pm",
            "published", "updated",
        ]
        guard words.allSatisfy({ vocabulary.contains($0) || units[$0] != nil || $0.allSatisfy(\.isNumber) || dateLineFiller.contains($0) }) else {
            return nil
        }
        for (index, word) in words.enumerated() {
            switch word {
            case "اليوم", "today", "الان": return day(secondsBack: 0)
            case "امس", "البارحه", "yesterday": return day(secondsBack: 24 * hour)
            case "منذ", "قبل":
                guard index + 1 < words.count else { continue }
                if let unit = units[words[index + 1]], let count = unit.count { return day(secondsBack: unit.seconds * count) }
                if index + 2 < words.count, let count = Int(words[index + 1]), let unit = units[words[index + 2]] {
                    return day(secondsBack: unit.seconds * count)
                }
            case "ago":
                guard index >= 1, let unit = units[words[index - 1]] else { continue }
                let count = index >= 2 ? Int(words[index - 2]) ?? unit.count ?? 1 : unit.count ?? 1
                return day(secondsBack: unit.seconds * count)
            default: continue
            }
        }
        return nil
    }

    /// A date with a weekday in running text («الخميس 25 من كانون الثاني»), as an article's lead
    /// paragraph gives the day of the news. A full date of another year than the reference's (a
    /// quoted earlier event) is not returned, nor a day without a weekday («25 مايو الجاري»),
    /// which is as likely a date the news looks ahead to.
    public static func leadDate(in text: String, reference: Int?) -> (date: ReadDate, text: String)? {
        guard let reference else { return nil }
        let referenceDay = CalendarDay(unixSeconds: reference)
        let tokens = ArabicTokenizer.tokens(of: text)
        let words = tokens.map(\.text)
        guard words.contains(where: weekdayNames.contains) else { return nil }
        for expression in expressions(in: words) where expression.weekday != nil {
            guard let date = resolve(expression, reference: referenceDay) else { continue }
            if expression.year != nil, expression.year != referenceDay.year { continue }
            let start = tokens[expression.tokens.lowerBound].originalRange.lowerBound
            let end = tokens[expression.tokens.upperBound - 1].originalRange.upperBound
            let scalars = text.scalarArray[start..<end]
            return (date, String(scalars: scalars))
        }
        return nil
    }

    /// A wire dateline opening a paragraph: «دمشق، 12 آذار 2024 (سانا) -» or
    /// «بغداد - 3 أيار/مايو (رويترز) -»: the date of the first words, when a dash or a
    /// parenthesised agency closes them.
    public static func dateline(in paragraph: String, reference: Int?) -> ReadDate? {
        let head = paragraph.prefix(90)
        guard let close = head.firstIndex(where: { $0 == "-" || $0 == "–" || $0 == "—" || $0 == "(" }) else { return nil }
        let words = ArabicTokenizer.tokens(of: String(head[..<close])).map(\.text)
        guard words.count <= 8 else { return nil }
        if let numeric = ExplicitDateParser.numericDate(in: ArabicNormalizer.normalizedString(String(head[..<close]))) {
            return ReadDate(date: numeric, basis: .dateline)
        }
        guard let expression = expressions(in: words).first,
            let date = resolve(expression, reference: reference.map(CalendarDay.init(unixSeconds:)))
        else { return nil }
        return ReadDate(date: date.date, basis: date.basis == .explicitLine ? .dateline : date.basis)
    }

    /// A machine-readable date («2024-03-12T10:00:00+03:00», «2024-03-12», «Tue, 12 Mar 2024
    /// 10:00:00 GMT», «March 12, 2024»): the calendar day as written, without converting zones.
    public static func metadataDate(_ text: String) -> ReadDate? {
        if let numeric = ExplicitDateParser.numericDate(in: text) { return ReadDate(date: numeric, basis: .metadata) }
        guard let written = ExplicitDateParser.parse(text) else { return nil }
        return ReadDate(date: written, basis: .metadata)
    }
}
