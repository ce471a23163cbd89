import ArabicText

/// What the parser made of one article file, before entity linking and identity.
/// Every string is the article's own text, untouched by the normaliser.
public struct ParsedArticle: Sendable {
    /// The headline.
    public var title: String
    /// Body paragraphs in order.
    public var paragraphs: [String]
    /// Short heading lines between paragraphs.
    public var subheadings: [Subheading]
    /// Site furniture that was cut, kept for audit.
    public var removed: [RemovedText]
    /// Other stories glued to the page (after «شاهد أيضاً», «إقرأ أيضاً» …).
    public var related: [RelatedStory]
    /// The publication date, when the file states it.
    public var published: PublishedDate?
    /// The outlet, when the file names it.
    public var outlet: Outlet?
    /// The page's address, when the file gives it (HTML canonical link, a JSON `url`).
    public var url: String?
    /// The text encoding the file was decoded from (`utf-8`, `utf-16le`, `utf-16be`, `windows-1256`).
    public var encoding: String
    /// `ar` when most letters are Arabic, `en` when most are Latin, else `und`.
    public var language: String
}

public struct Subheading: Sendable, Equatable {
    public var text: String
    /// Index of the paragraph the heading stands before.
    public var beforeParagraph: Int
}

public struct RemovedText: Sendable, Equatable {
    /// The boilerplate kind: a section name of the boilerplate file, or `untitled_line`.
    public var kind: String
    public var text: String
    /// 1-based line number in the decoded file.
    public var line: Int
}

public struct RelatedStory: Sendable, Equatable {
    /// The line that introduced it, e.g. «إقرأ أيضاً:».
    public var marker: String
    public var title: String?
    public var paragraphs: [String]
}

public struct PublishedDate: Sendable, Equatable {
    public var date: WrittenDate
    public var basis: DateBasis
    /// The text the date was read from.
    public var text: String

    public init(date: WrittenDate, basis: DateBasis, text: String) {
        self.date = date
        self.basis = basis
        self.text = text
    }
}

public struct Outlet: Sendable, Equatable {
    public enum Basis: String, Sendable {
        /// An «المصدر:» line.
        case sourceLine = "source-line"
        /// A byline such as «SY24 -خاص» or «بغداد - شفق نيوز».
        case byline
        /// The site's name standing alone above the headline.
        case header
        /// The agency in a wire dateline: «بيروت (رويترز) -».
        case dateline
        /// HTML metadata (`og:site_name`, JSON-LD publisher) or a JSON article's outlet key.
        case metadata
    }
    public var name: String
    public var basis: Basis
    public var text: String

    public init(name: String, basis: Basis, text: String) {
        self.name = name
        self.basis = basis
        self.text = text
    }
}
