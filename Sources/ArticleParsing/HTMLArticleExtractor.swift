// An HTML article extractor written against the standard library alone: a tolerant tokenizer over UTF-8 bytes, a
// small flat element tree, a depth-capped JSON-LD reader, and a readability-style choice of the main content.
// Every loop advances through the input or a bounded structure, so hostile pages cost time linear in their size.

// MARK: - Public API

/// What an HTML page says about its article, before the text parser sees it.
public struct HTMLPage: Sendable, Equatable {
    /// The headline: <h1> inside the main content, else og:title / twitter:title (minus a " | Site" suffix naming
    /// og:site_name), else JSON-LD "headline", else the page's chosen <h1> outside the main content, else <title>
    /// (site suffix such as " | Site" or " - Site" removed when the rest matches og:site_name or is short).
    public var title: String?
    /// Raw publication time string: meta article:published_time, meta name=pubdate/date/publish-date/DC.date.issued,
    /// itemprop=datePublished, JSON-LD "datePublished" (in any @graph or array), else the first <time datetime=…> in
    /// the content; nil if none.
    public var published: String?
    /// Human-readable date text near the headline when no machine-readable one exists (e.g. the text of a <time> or of
    /// an element whose class contains "date"/"time"/"publish"); nil if none.
    public var publishedText: String?
    /// og:site_name, else JSON-LD publisher.name, else application-name meta; nil if none.
    public var siteName: String?
    /// link rel=canonical, else og:url (as written: relative addresses are not resolved).
    public var url: String?
    /// The main content as blocks in document order: paragraphs, headings (h2–h6) and list items inside the main
    /// content; text with tags stripped, entities decoded, whitespace collapsed, trimmed; empty blocks dropped.
    public var blocks: [Block]

    /// One block of the main content.
    public struct Block: Sendable, Equatable {
        /// The kind of element the text stood in.
        public enum Kind: String, Sendable {
            case paragraph, heading, listItem
        }

        /// Paragraph, heading (h2–h6) or list item.
        public var kind: Kind
        /// The block's text; never empty.
        public var text: String

        /// A block of `kind` holding `text`.
        public init(kind: Kind, text: String) {
            self.kind = kind
            self.text = text
        }
    }

    /// A page with the given fields.
    public init(
        title: String? = nil, published: String? = nil, publishedText: String? = nil, siteName: String? = nil,
        url: String? = nil, blocks: [Block] = []
    ) {
        self.title = title
        self.published = published
        self.publishedText = publishedText
        self.siteName = siteName
        self.url = url
        self.blocks = blocks
    }
}

/// Finds the article in an HTML page: its headline, dates, site, address and body blocks.
public enum HTMLArticleExtractor {
    /// Extracts the article from an HTML document (already decoded to a String).
    ///
    /// Never traps and takes time linear in the input. Elements nested deeper than ``maxDepth`` are flattened into
    /// their deepest kept ancestor (their text is kept); past ``maxNodes`` tree nodes the rest of the document adds no
    /// further nodes (its metadata is still read).
    public static func extract(_ html: String) -> HTMLPage {
        var html = html
        return html.withUTF8 { buffer -> HTMLPage in
            // Node offsets are 32-bit; a document beyond 2 GiB is read up to that point.
            let usable = min(buffer.count, Int(Int32.max) - 1)
            let source = UnsafeBufferPointer(rebasing: buffer[0..<usable])
            var tree = TreeBuilder(source: source)
            tree.build()
            var analyzer = PageAnalyzer(tree: tree)
            return analyzer.page()
        }
    }

    /// How deep elements may nest; deeper start tags are ignored (their text goes to the deepest kept element).
    static let maxDepth = 512
    /// How many nodes (elements and text runs) the tree holds at most.
    static let maxNodes = 1_000_000
}

// MARK: - Bytes

private enum Byte {
    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
    static let slash = UInt8(ascii: "/")
    static let bang = UInt8(ascii: "!")
    static let question = UInt8(ascii: "?")
    static let equals = UInt8(ascii: "=")
    static let doubleQuote = UInt8(ascii: "\"")
    static let singleQuote = UInt8(ascii: "'")
    static let ampersand = UInt8(ascii: "&")
    static let hash = UInt8(ascii: "#")
    static let semicolon = UInt8(ascii: ";")
    static let dash = UInt8(ascii: "-")
    static let space = UInt8(ascii: " ")

    /// HTML's ASCII white space (space, tab, LF, FF, CR) plus vertical tab.
    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool {
        byte >= 0x30 && byte <= 0x39
    }

    @inline(__always) static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLetter(byte) || isDigit(byte)
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// Whether `range` of `source`, trimmed of white space, equals the lowercase ASCII `word` ignoring case.
    static func equals(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ word: StaticString) -> Bool {
        let trimmed = trim(source, range)
        return word.withUTF8Buffer { expected in
            guard expected.count == trimmed.count else { return false }
            var offset = 0
            for index in trimmed {
                guard lower(source[index]) == expected[offset] else { return false }
                offset += 1
            }
            return true
        }
    }

    /// `range` without ASCII white space at either end.
    static func trim(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isSpace(source[lower]) { lower += 1 }
        while upper > lower, isSpace(source[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// Whether any white-space-separated token of `range` equals `word` (lowercase ASCII) ignoring case.
    static func hasToken(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ word: StaticString) -> Bool {
        var index = range.lowerBound
        while index < range.upperBound {
            while index < range.upperBound, isSpace(source[index]) { index += 1 }
            let start = index
            while index < range.upperBound, !isSpace(source[index]) { index += 1 }
            if start < index, equals(source, start..<index, word) { return true }
        }
        return false
    }
}

// MARK: - Tags

/// The elements the extractor treats specially. Any other name is interned at run time and behaves as inline.
private enum Tag: UInt16, CaseIterable {
    case textNode, documentNode
    case html, head, body, title, meta, link, base, script, style, noscript, template, iframe, noembed, noframes, xmp
    case plaintext, textarea, svg, math, object, embed, canvas, video, audio, select, option, optgroup, input, button
    case form, nav, header, footer, aside, main, article, section, div, p, span, a, br, hr, img, area, col, param
    case source, track, wbr, keygen, h1, h2, h3, h4, h5, h6, hgroup, ul, ol, li, dl, dt, dd, menu, table, thead
    case tbody, tfoot, tr, td, th, caption, blockquote, pre, listing, figure, figcaption, address, center, details
    case summary, dialog, fieldset, legend, time, marquee, applet

    var id: UInt16 { rawValue }
}

/// What a tag means to the tree builder and to content selection.
private struct TagProps: OptionSet {
    let rawValue: UInt32

    /// Never has content or an end tag.
    static let void = TagProps(rawValue: 1 << 0)
    /// Starts and ends a block of text.
    static let block = TagProps(rawValue: 1 << 1)
    /// Content is text up to the matching end tag, not markup (script, style …).
    static let rawText = TagProps(rawValue: 1 << 2)
    /// Like raw text, but character references count (title, textarea).
    static let escapableRawText = TagProps(rawValue: 1 << 3)
    /// Its start tag closes an open <p>.
    static let closesParagraph = TagProps(rawValue: 1 << 4)
    /// Never part of the article (navigation, scripts, forms controls, embedded media …).
    static let dropped = TagProps(rawValue: 1 << 5)
    /// Page chrome unless it holds the headline or most of the text (header, form).
    static let chrome = TagProps(rawValue: 1 << 6)
    static let heading = TagProps(rawValue: 1 << 7)
    /// May stand in <head> without closing it.
    static let headContent = TagProps(rawValue: 1 << 8)
    /// SVG or MathML, where `<x/>` closes itself.
    static let foreign = TagProps(rawValue: 1 << 9)
    /// Text standing directly in it is not paragraph text (headings, list items, table rows …).
    static let notParagraphText = TagProps(rawValue: 1 << 10)
    /// Implicit closing does not look past it.
    static let scopeBoundary = TagProps(rawValue: 1 << 11)

    private static let table: [TagProps] = Tag.allCases.map(props(of:))

    static func of(_ id: UInt16) -> TagProps {
        Int(id) < table.count ? table[Int(id)] : []
    }

    private static func props(of tag: Tag) -> TagProps {
        var props: TagProps = []
        switch tag {
        case .area, .base, .br, .col, .embed, .hr, .img, .input, .keygen, .link, .meta, .param, .source, .track, .wbr:
            props.insert(.void)
        default: break
        }
        switch tag {
        case .documentNode, .html, .body, .address, .article, .aside, .blockquote, .center, .details, .dialog, .dd, .div,
            .dl, .dt, .fieldset, .figcaption, .figure, .footer, .form, .h1, .h2, .h3, .h4, .h5, .h6, .header, .hgroup, .hr,
            .li, .main, .menu, .nav, .ol, .p, .pre, .listing, .section, .summary, .table, .thead, .tbody, .tfoot, .tr, .td,
            .th, .caption, .ul, .legend, .option, .select:
            props.insert(.block)
        default: break
        }
        switch tag {
        case .script, .style, .noscript, .iframe, .noembed, .noframes, .xmp, .plaintext: props.insert(.rawText)
        case .title, .textarea: props.insert(.escapableRawText)
        default: break
        }
        switch tag {
        case .address, .article, .aside, .blockquote, .center, .details, .dialog, .div, .dl, .fieldset, .figcaption,
            .figure, .footer, .header, .hgroup, .main, .menu, .nav, .ol, .p, .section, .summary, .ul, .h1, .h2, .h3, .h4,
            .h5, .h6, .pre, .listing, .form, .table, .hr, .xmp, .plaintext, .li, .dd, .dt:
            props.insert(.closesParagraph)
        default: break
        }
        switch tag {
        case .head, .title, .script, .style, .noscript, .template, .iframe, .noembed, .noframes, .xmp, .plaintext,
            .textarea, .svg, .math, .object, .embed, .canvas, .video, .audio, .select, .option, .optgroup, .input, .button,
            .nav, .footer, .aside, .figcaption, .dialog, .menu, .applet, .marquee:
            props.insert(.dropped)
        default: break
        }
        switch tag {
        case .header, .form: props.insert(.chrome)
        case .h1, .h2, .h3, .h4, .h5, .h6: props.formUnion([.heading, .notParagraphText])
        case .meta, .link, .title, .script, .style, .base, .noscript, .template: props.insert(.headContent)
        case .svg, .math: props.insert(.foreign)
        default: break
        }
        switch tag {
        case .li, .dt, .ul, .ol, .menu, .dl, .table, .thead, .tbody, .tfoot, .tr, .th, .caption, .figcaption, .summary,
            .legend, .option, .select, .nav, .hgroup, .button:
            props.insert(.notParagraphText)
        default: break
        }
        switch tag {
        case .html, .table, .td, .th, .caption, .button, .template, .object, .marquee, .applet, .svg, .math:
            props.insert(.scopeBoundary)
        default: break
        }
        return props
    }
}

/// Tag names to small ids: the known tags first, then names as they come, up to ``capacity``.
private struct TagInterner {
    static let capacity = 4096
    /// The id every name past ``capacity`` shares.
    static let overflowID = UInt16(capacity - 1)

    private static let seeded: (short: [UInt64: UInt16], long: [String: UInt16]) = {
        var short: [UInt64: UInt16] = [:]
        var long: [String: UInt16] = [:]
        for tag in Tag.allCases where tag != .textNode && tag != .documentNode {
            let name = String(describing: tag)
            let bytes = Array(name.utf8)
            if bytes.count <= 8 { short[pack(bytes[...])] = tag.id } else { long[name] = tag.id }
        }
        return (short, long)
    }()

    private var short = TagInterner.seeded.short
    private var long = TagInterner.seeded.long
    private var next = UInt16(Tag.allCases.count)

    /// The id of the tag named by `range` of `source` (case-insensitive), adding the name when new.
    mutating func id(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt16 {
        if let known = lookup(source, range) { return known }
        guard Int(next) < Self.overflowID else { return Self.overflowID }
        let id = next
        next += 1
        if range.count <= 8 {
            short[Self.pack(source, range)] = id
        } else {
            long[Self.longKey(source, range)] = id
        }
        return id
    }

    /// The id of the tag named by `range` of `source`, if that name was seen before.
    func lookup(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt16? {
        range.count <= 8 ? short[Self.pack(source, range)] : long[Self.longKey(source, range)]
    }

    private static func pack(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64 {
        var key: UInt64 = 0
        var shift: UInt64 = 0
        for index in range {
            key |= UInt64(Byte.lower(source[index])) << shift
            shift += 8
        }
        return key
    }

    private static func pack(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var key: UInt64 = 0
        var shift: UInt64 = 0
        for byte in bytes {
            key |= UInt64(byte) << shift
            shift += 8
        }
        return key
    }

    private static func longKey(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        let capped = range.lowerBound..<min(range.upperBound, range.lowerBound + 64)
        return String(decoding: capped.map { Byte.lower(source[$0]) }, as: UTF8.self)
    }
}

// MARK: - Tree

/// What an element's attributes say about it.
private struct ElementFlags: OptionSet {
    let rawValue: UInt16

    /// class/id names page chrome (nav, menu, share, related …).
    static let chromeClass = ElementFlags(rawValue: 1 << 0)
    /// class/id names article content (article-body, entry-content, story …).
    static let contentClass = ElementFlags(rawValue: 1 << 1)
    /// itemprop=articleBody.
    static let articleBody = ElementFlags(rawValue: 1 << 2)
    /// itemprop=datePublished.
    static let datePublished = ElementFlags(rawValue: 1 << 3)
    /// class/id mentions a date or publishing.
    static let dateClass = ElementFlags(rawValue: 1 << 4)
    /// class/id mentions time.
    static let timeClass = ElementFlags(rawValue: 1 << 5)
    /// hidden attribute, or a style with display:none / visibility:hidden.
    static let hidden = ElementFlags(rawValue: 1 << 6)
    /// A landmark role that is not content (navigation, banner, contentinfo …).
    static let chromeRole = ElementFlags(rawValue: 1 << 7)
    /// A <time> whose datetime is the node's value.
    static let hasDatetime = ElementFlags(rawValue: 1 << 8)
}

/// One node of the flat tree. Nodes are stored in document order, so an element's subtree is the index range
/// `(index + 1)..<end`.
private struct Node {
    var tag: UInt16
    var flags: ElementFlags
    var parent: Int32
    /// One past the last node of the subtree.
    var end: Int32
    /// Text: first byte. Element: index into the tree's values (datetime or content attribute), or -1.
    var start: Int32
    /// Text: one past the last byte.
    var stop: Int32

    var isText: Bool { tag == Tag.textNode.id }
}

/// The attributes the extractor reads, as byte ranges of their (undecoded) values; the first of duplicates wins.
private struct Attributes {
    var className: Range<Int>?
    var id: Range<Int>?
    var itemprop: Range<Int>?
    var property: Range<Int>?
    var name: Range<Int>?
    var content: Range<Int>?
    var rel: Range<Int>?
    var href: Range<Int>?
    var datetime: Range<Int>?
    var type: Range<Int>?
    var role: Range<Int>?
    var style: Range<Int>?
    var hidden = false

    mutating func capture(_ source: UnsafeBufferPointer<UInt8>, name attribute: Range<Int>, value: Range<Int>) {
        func keep(_ field: inout Range<Int>?) {
            if field == nil { field = value }
        }
        switch attribute.count {
        case 2: if Byte.equals(source, attribute, "id") { keep(&id) }
        case 3: if Byte.equals(source, attribute, "rel") { keep(&rel) }
        case 4:
            if Byte.equals(source, attribute, "name") {
                keep(&name)
            } else if Byte.equals(source, attribute, "href") {
                keep(&href)
            } else if Byte.equals(source, attribute, "type") {
                keep(&type)
            } else if Byte.equals(source, attribute, "role") {
                keep(&role)
            }
        case 5:
            if Byte.equals(source, attribute, "class") {
                keep(&className)
            } else if Byte.equals(source, attribute, "style") {
                keep(&style)
            }
        case 6: if Byte.equals(source, attribute, "hidden") { hidden = true }
        case 7: if Byte.equals(source, attribute, "content") { keep(&content) }
        case 8:
            if Byte.equals(source, attribute, "itemprop") {
                keep(&itemprop)
            } else if Byte.equals(source, attribute, "property") {
                keep(&property)
            } else if Byte.equals(source, attribute, "datetime") {
                keep(&datetime)
            }
        default: break
        }
    }
}

/// Page metadata read from <meta> and <link> as the tokenizer meets them; the first value of each wins.
private struct MetaFields {
    var ogTitle: String?
    var twitterTitle: String?
    var ogSiteName: String?
    var ogURL: String?
    var articlePublished: String?
    var namedDate: String?
    var itempropDate: String?
    var applicationName: String?
    var canonical: String?
}

/// Tokenizes the document and builds the flat tree, reading metadata on the way.
private struct TreeBuilder {
    let source: UnsafeBufferPointer<UInt8>
    private(set) var nodes: [Node] = []
    /// Attribute values of elements (time datetime, itemprop=datePublished content).
    private(set) var values: [Range<Int>] = []
    private(set) var meta = MetaFields()
    /// The content of the first <title> outside SVG/MathML.
    private(set) var titleRange: Range<Int>?
    /// The contents of <script type="application/ld+json"> elements.
    private(set) var linkedData: [Range<Int>] = []

    /// Indices of the open elements; the document node at the bottom is never popped.
    private var stack: [Int32] = [0]
    private var openCounts: [Int32]
    /// Start tags ignored past the depth or node cap, per tag, so that their end tags are ignored too.
    private var overflowCounts: [Int32]
    private var interner = TagInterner()
    private var scratch: [UInt8] = []
    private var words: [Range<Int>] = []

    init(source: UnsafeBufferPointer<UInt8>) {
        self.source = source
        openCounts = Array(repeating: 0, count: TagInterner.capacity)
        overflowCounts = Array(repeating: 0, count: TagInterner.capacity)
        nodes.reserveCapacity(min(source.count / 32 + 16, 1 << 16))
        nodes.append(Node(tag: Tag.documentNode.id, flags: [], parent: 0, end: 1, start: -1, stop: -1))
    }

    mutating func build() {
        let count = source.count
        var index = 0
        var textStart = 0
        while index < count {
            guard source[index] == Byte.lessThan, index + 1 < count else {
                index += 1
                continue
            }
            let next = source[index + 1]
            let resume: Int
            if Byte.isLetter(next) {
                addText(textStart..<index)
                resume = startTag(at: index)
            } else if next == Byte.slash {
                guard index + 2 < count else {
                    index += 1
                    continue
                }
                addText(textStart..<index)
                let third = source[index + 2]
                if Byte.isLetter(third) {
                    resume = endTag(at: index)
                } else if third == Byte.greaterThan {
                    resume = index + 3
                } else {
                    resume = skipPast(Byte.greaterThan, from: index + 2)
                }
            } else if next == Byte.bang {
                addText(textStart..<index)
                resume = markupDeclaration(at: index)
            } else if next == Byte.question {
                addText(textStart..<index)
                resume = skipPast(Byte.greaterThan, from: index + 2)
            } else {
                // A stray '<' is text.
                index += 1
                continue
            }
            index = resume
            textStart = resume
        }
        addText(textStart..<count)
        let total = Int32(nodes.count)
        for open in stack { nodes[Int(open)].end = total }
        stack = [0]
    }

    // MARK: Tokens

    private func find(_ byte: UInt8, from start: Int) -> Int {
        var index = start
        while index < source.count, source[index] != byte { index += 1 }
        return index
    }

    private func skipPast(_ byte: UInt8, from start: Int) -> Int {
        min(find(byte, from: start) + 1, source.count)
    }

    /// Whether the input at `index` starts with `word`, exactly.
    private func hasPrefix(_ word: StaticString, at index: Int) -> Bool {
        word.withUTF8Buffer { expected in
            guard index + expected.count <= source.count else { return false }
            return (0..<expected.count).allSatisfy { source[index + $0] == expected[$0] }
        }
    }

    /// `<!--…-->`, `<![CDATA[…]]>`, `<!DOCTYPE …>` and other `<!…>`; returns where text resumes.
    private func markupDeclaration(at index: Int) -> Int {
        let count = source.count
        if hasPrefix("<!--", at: index) {
            let body = index + 4
            if body < count, source[body] == Byte.greaterThan { return body + 1 }
            if body + 1 < count, source[body] == Byte.dash, source[body + 1] == Byte.greaterThan { return body + 2 }
            var search = body
            while search < count {
                let close = find(Byte.greaterThan, from: search)
                guard close < count else { break }
                if close - 2 >= body, source[close - 1] == Byte.dash, source[close - 2] == Byte.dash { return close + 1 }
                if close - 3 >= body, source[close - 1] == Byte.bang, source[close - 2] == Byte.dash,
                    source[close - 3] == Byte.dash
                {
                    return close + 1
                }
                search = close + 1
            }
            return count  // An unterminated comment runs to the end.
        }
        if foreignDepth > 0, hasPrefix("<![CDATA[", at: index) {
            var search = index + 9
            while search < count {
                let close = find(Byte.greaterThan, from: search)
                guard close < count else { break }
                if close - 2 >= index + 9, source[close - 1] == UInt8(ascii: "]"), source[close - 2] == UInt8(ascii: "]") {
                    return close + 1
                }
                search = close + 1
            }
            return count
        }
        // DOCTYPE, and CDATA in HTML content, are bogus comments ending at the first '>'.
        return skipPast(Byte.greaterThan, from: index + 2)
    }

    /// Reads attributes up to the closing '>', returning the index after it and whether the tag ended in "/>"; nil at
    /// the end of input (an unterminated tag or quoted value is dropped, as browsers do).
    private func scanAttributes(from start: Int, into attributes: inout Attributes, capture: Bool) -> (next: Int, selfClosing: Bool)? {
        let count = source.count
        var index = start
        var selfClosing = false
        while true {
            while index < count, Byte.isSpace(source[index]) || source[index] == Byte.slash {
                selfClosing = source[index] == Byte.slash && index + 1 < count && source[index + 1] == Byte.greaterThan
                index += 1
            }
            guard index < count else { return nil }
            if source[index] == Byte.greaterThan { return (index + 1, selfClosing) }
            selfClosing = false
            let nameStart = index
            index += 1
            while index < count {
                let byte = source[index]
                if Byte.isSpace(byte) || byte == Byte.slash || byte == Byte.greaterThan || byte == Byte.equals { break }
                index += 1
            }
            let name = nameStart..<index
            while index < count, Byte.isSpace(source[index]) { index += 1 }
            var value = index..<index
            if index < count, source[index] == Byte.equals {
                index += 1
                while index < count, Byte.isSpace(source[index]) { index += 1 }
                guard index < count else { return nil }
                let quote = source[index]
                if quote == Byte.doubleQuote || quote == Byte.singleQuote {
                    let close = find(quote, from: index + 1)
                    guard close < count else { return nil }
                    value = (index + 1)..<close
                    index = close + 1
                } else {
                    let valueStart = index
                    while index < count, !Byte.isSpace(source[index]), source[index] != Byte.greaterThan { index += 1 }
                    value = valueStart..<index
                }
            }
            if capture { attributes.capture(source, name: name, value: value) }
        }
    }

    private func tagNameEnd(from start: Int) -> Int {
        var index = start
        while index < source.count {
            let byte = source[index]
            if Byte.isSpace(byte) || byte == Byte.slash || byte == Byte.greaterThan { break }
            index += 1
        }
        return index
    }

    private mutating func startTag(at index: Int) -> Int {
        let nameRange = (index + 1)..<tagNameEnd(from: index + 1)
        var attributes = Attributes()
        guard let (next, selfClosing) = scanAttributes(from: nameRange.upperBound, into: &attributes, capture: true) else {
            return source.count
        }
        let tag = interner.id(source, nameRange)
        let props = TagProps.of(tag)
        if props.contains(.rawText) || props.contains(.escapableRawText) {
            return rawTextElement(tag, props, attributes, name: nameRange, contentStart: next)
        }
        openElement(tag, props, attributes, selfClosing: selfClosing)
        return next
    }

    private mutating func endTag(at index: Int) -> Int {
        let nameRange = (index + 2)..<tagNameEnd(from: index + 2)
        var ignored = Attributes()
        guard let (next, _) = scanAttributes(from: nameRange.upperBound, into: &ignored, capture: false) else {
            return source.count
        }
        if let tag = interner.lookup(source, nameRange) { closeElement(tag) }
        return next
    }

    /// Skips the content of script, style, title … up to its end tag, keeping what the metadata needs.
    private mutating func rawTextElement(
        _ tag: UInt16, _ props: TagProps, _ attributes: Attributes, name: Range<Int>, contentStart: Int
    ) -> Int {
        leaveHeadIfNeeded(props)
        let count = source.count
        guard tag != Tag.plaintext.id else { return count }
        var contentEnd = count
        var next = count
        var search = contentStart
        let length = name.count
        while search < count {
            let open = find(Byte.lessThan, from: search)
            guard open + 2 + length <= count else { break }
            if source[open + 1] == Byte.slash {
                var matches = true
                for offset in 0..<length where Byte.lower(source[open + 2 + offset]) != Byte.lower(source[name.lowerBound + offset]) {
                    matches = false
                    break
                }
                let after = open + 2 + length
                let nameEnds = after == count || Byte.isSpace(source[after]) || source[after] == Byte.slash
                if matches, nameEnds || source[after] == Byte.greaterThan {
                    contentEnd = open
                    next = skipPast(Byte.greaterThan, from: after)
                    break
                }
            }
            search = open + 1
        }
        let content = contentStart..<max(contentStart, contentEnd)
        if tag == Tag.title.id, titleRange == nil, foreignDepth == 0 {
            titleRange = content
        } else if tag == Tag.script.id, let type = attributes.type, Byte.equals(source, type, "application/ld+json"),
            linkedData.count < 32
        {
            linkedData.append(content)
        }
        return next
    }

    // MARK: Tree operations

    private var foreignDepth: Int32 {
        openCounts[Int(Tag.svg.id)] + openCounts[Int(Tag.math.id)]
    }

    private var topTag: UInt16 {
        nodes[Int(stack[stack.count - 1])].tag
    }

    private mutating func popTop() {
        guard stack.count > 1 else { return }
        let index = Int(stack.removeLast())
        nodes[index].end = Int32(nodes.count)
        openCounts[Int(nodes[index].tag)] -= 1
    }

    /// Closes the nearest open element with a tag in `targets`, looking down at most 32 levels and not past a
    /// boundary tag or a scope boundary.
    private mutating func closeNearest(_ targets: [Tag], boundaries: [Tag]) {
        guard targets.contains(where: { openCounts[Int($0.id)] > 0 }) else { return }
        var position = stack.count - 1
        var looked = 0
        while position > 0, looked < 32 {
            let tag = nodes[Int(stack[position])].tag
            if targets.contains(where: { $0.id == tag }) {
                while stack.count > position { popTop() }
                return
            }
            if boundaries.contains(where: { $0.id == tag }) || TagProps.of(tag).contains(.scopeBoundary) { return }
            position -= 1
            looked += 1
        }
    }

    private mutating func leaveHeadIfNeeded(_ props: TagProps) {
        if topTag == Tag.head.id, !props.contains(.headContent) { popTop() }
    }

    private mutating func appendLeaf(_ tag: UInt16) {
        guard nodes.count < HTMLArticleExtractor.maxNodes else { return }
        let index = Int32(nodes.count)
        nodes.append(Node(tag: tag, flags: [], parent: stack[stack.count - 1], end: index + 1, start: -1, stop: -1))
    }

    private mutating func addText(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        if topTag == Tag.head.id {
            guard range.contains(where: { !Byte.isSpace(source[$0]) }) else { return }
            popTop()
        }
        guard nodes.count < HTMLArticleExtractor.maxNodes else { return }
        let index = Int32(nodes.count)
        nodes.append(
            Node(
                tag: Tag.textNode.id, flags: [], parent: stack[stack.count - 1], end: index + 1,
                start: Int32(range.lowerBound), stop: Int32(range.upperBound)))
    }

    private mutating func openElement(_ tag: UInt16, _ props: TagProps, _ attributes: Attributes, selfClosing: Bool) {
        if tag != Tag.head.id { leaveHeadIfNeeded(props) }
        if props.contains(.closesParagraph) { closeNearest([.p], boundaries: []) }
        switch tag {
        case Tag.li.id: closeNearest([.li], boundaries: [.ul, .ol, .menu])
        case Tag.dd.id, Tag.dt.id: closeNearest([.dd, .dt], boundaries: [.dl])
        case Tag.td.id, Tag.th.id: closeNearest([.td, .th], boundaries: [.tr])
        case Tag.tr.id: closeNearest([.tr], boundaries: [.thead, .tbody, .tfoot])
        case Tag.option.id: if topTag == Tag.option.id { popTop() }
        default: if props.contains(.heading), TagProps.of(topTag).contains(.heading) { popTop() }
        }
        if props.contains(.void) || (selfClosing && (foreignDepth > 0 || props.contains(.foreign))) {
            switch tag {
            case Tag.meta.id: readMeta(attributes)
            case Tag.link.id: readLink(attributes)
            case Tag.br.id, Tag.hr.id: appendLeaf(tag)
            default: break
            }
            return
        }
        guard stack.count <= HTMLArticleExtractor.maxDepth, nodes.count < HTMLArticleExtractor.maxNodes else {
            overflowCounts[Int(tag)] += 1
            return
        }
        var flags = elementFlags(attributes)
        var valueIndex: Int32 = -1
        if tag == Tag.time.id, let datetime = attributes.datetime {
            flags.insert(.hasDatetime)
            valueIndex = Int32(values.count)
            values.append(datetime)
        } else if flags.contains(.datePublished), let value = attributes.datetime ?? attributes.content {
            valueIndex = Int32(values.count)
            values.append(value)
        }
        let index = Int32(nodes.count)
        nodes.append(Node(tag: tag, flags: flags, parent: stack[stack.count - 1], end: index + 1, start: valueIndex, stop: -1))
        stack.append(index)
        openCounts[Int(tag)] += 1
    }

    private mutating func closeElement(_ tag: UInt16) {
        switch tag {
        case Tag.br.id:
            appendLeaf(tag)  // </br> is read as <br>.
            return
        case Tag.body.id, Tag.html.id:
            return  // Content after </body> still belongs to the body.
        default: break
        }
        let slot = Int(tag)
        if overflowCounts[slot] > 0 {
            overflowCounts[slot] -= 1
            return
        }
        // </h2> closes an open <h1> (any heading end tag closes the nearest open heading), as in browsers.
        let isHeading = TagProps.of(tag).contains(.heading)
        if isHeading, openCounts[slot] == 0 {
            let headings: [Tag] = [.h1, .h2, .h3, .h4, .h5, .h6]
            guard headings.contains(where: { openCounts[Int($0.id)] > 0 }) else { return }
        } else if openCounts[slot] == 0 {
            return
        }
        while stack.count > 1 {
            let closing = topTag
            popTop()
            if closing == tag || (isHeading && TagProps.of(closing).contains(.heading)) { break }
        }
    }

    // MARK: Attributes

    private func attributeText(_ range: Range<Int>) -> String? {
        let text = HTMLText.decode(source, range, limit: 65_536)
        return text.isEmpty ? nil : text
    }

    private mutating func readMeta(_ attributes: Attributes) {
        guard let content = attributes.content else { return }
        if let property = attributes.property { assignMeta(key: property, content: content) }
        if let name = attributes.name { assignMeta(key: name, content: content) }
        if meta.itempropDate == nil, let itemprop = attributes.itemprop, Byte.hasToken(source, itemprop, "datepublished") {
            meta.itempropDate = attributeText(content)
        }
    }

    private mutating func assignMeta(key: Range<Int>, content: Range<Int>) {
        guard let field = metaField(named: Byte.trim(source, key)), meta[keyPath: field] == nil else { return }
        meta[keyPath: field] = attributeText(content)
    }

    /// The field a meta property or name fills, if the extractor reads it.
    private func metaField(named key: Range<Int>) -> WritableKeyPath<MetaFields, String?>? {
        switch key.count {
        case 6: return Byte.equals(source, key, "og:url") ? \.ogURL : nil
        case 8: return Byte.equals(source, key, "og:title") ? \.ogTitle : nil
        case 12: return Byte.equals(source, key, "og:site_name") ? \.ogSiteName : nil
        case 13: return Byte.equals(source, key, "twitter:title") ? \.twitterTitle : nil
        case 16: return Byte.equals(source, key, "application-name") ? \.applicationName : nil
        case 22, 25:
            let published = Byte.equals(source, key, "article:published_time") || Byte.equals(source, key, "og:article:published_time")
            return published ? \.articlePublished : nil
        default:
            let dateNames: [StaticString] = [
                "pubdate", "publishdate", "publish-date", "publish_date", "date", "dc.date.issued", "dcterms.issued",
                "dc.date", "dcterms.date",
            ]
            return key.count <= 14 && dateNames.contains(where: { Byte.equals(source, key, $0) }) ? \.namedDate : nil
        }
    }

    private mutating func readLink(_ attributes: Attributes) {
        guard meta.canonical == nil, let rel = attributes.rel, let href = attributes.href else { return }
        if Byte.hasToken(source, rel, "canonical") { meta.canonical = attributeText(href) }
    }

    private mutating func elementFlags(_ attributes: Attributes) -> ElementFlags {
        var flags: ElementFlags = []
        if attributes.hidden { flags.insert(.hidden) }
        if let style = attributes.style, styleHides(style) { flags.insert(.hidden) }
        if attributes.className != nil || attributes.id != nil {
            flags.formUnion(
                ClassNames.flags(source, attributes.className, attributes.id, scratch: &scratch, words: &words))
        }
        if let itemprop = attributes.itemprop {
            if Byte.hasToken(source, itemprop, "articlebody") { flags.insert(.articleBody) }
            if Byte.hasToken(source, itemprop, "datepublished") { flags.insert(.datePublished) }
        }
        if let role = attributes.role {
            let roles: [StaticString] = [
                "navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "toolbar", "dialog",
                "alertdialog",
            ]
            if roles.contains(where: { Byte.hasToken(source, role, $0) }) { flags.insert(.chromeRole) }
        }
        return flags
    }

    private mutating func styleHides(_ range: Range<Int>) -> Bool {
        scratch.removeAll(keepingCapacity: true)
        for index in range.prefix(512) where !Byte.isSpace(source[index]) { scratch.append(Byte.lower(source[index])) }
        return ClassNames.contains(scratch, 0..<scratch.count, "display:none")
            || ClassNames.contains(scratch, 0..<scratch.count, "visibility:hidden")
    }
}

// MARK: - Class and id names

/// Reads class and id values as words ("relatedArticles", "related_articles" → related, articles).
private enum ClassNames {
    /// Chrome when a word starts with one of these.
    static let chromePrefixes: [StaticString] = [
        "nav", "menu", "footer", "header", "sidebar", "related", "share", "sharing", "social", "comment", "breadcrumb",
        "widget", "newsletter", "subscri", "advert", "promo", "popular", "cookie", "sponsor", "outbrain", "taboola",
        "byline", "author",
    ]
    /// Chrome when a word is exactly one of these.
    static let chromeWords: [StaticString] = ["ad", "ads", "tag", "tags", "mostread", "masthead", "toolbar", "topbar"]
    /// Chrome when two consecutive words are these.
    static let chromePairs: [(StaticString, StaticString)] = [
        ("most", "read"), ("most", "viewed"), ("most", "commented"), ("read", "also"), ("read", "more"), ("see", "also"),
        ("sr", "only"), ("visually", "hidden"), ("screen", "reader"), ("twitter", "tweet"),
    ]
    /// Content when a word is exactly one of these.
    static let contentWords: [StaticString] = [
        "story", "articlebody", "articlecontent", "articletext", "entrycontent", "entrybody", "postcontent", "postbody",
        "storybody", "storycontent", "contentbody", "newsbody",
    ]
    static let contentFirsts: [StaticString] = ["article", "entry", "post", "story", "news"]
    static let contentSeconds: [StaticString] = ["body", "content", "text"]

    static func flags(
        _ source: UnsafeBufferPointer<UInt8>, _ className: Range<Int>?, _ id: Range<Int>?, scratch: inout [UInt8],
        words: inout [Range<Int>]
    ) -> ElementFlags {
        scratch.removeAll(keepingCapacity: true)
        words.removeAll(keepingCapacity: true)
        if let className { appendWords(source, className, to: &scratch) }
        if let id {
            scratch.append(Byte.space)
            appendWords(source, id, to: &scratch)
        }
        var start = -1
        for index in 0...scratch.count {
            let isBreak = index == scratch.count || scratch[index] == Byte.space
            if isBreak {
                if start >= 0, words.count < 64 { words.append(start..<index) }
                start = -1
            } else if start < 0 {
                start = index
            }
        }
        var chrome = false
        var content = false
        var flags: ElementFlags = []
        for (position, word) in words.enumerated() {
            if !chrome {
                chrome =
                    chromePrefixes.contains { hasPrefix(scratch, word, $0) } || chromeWords.contains { equals(scratch, word, $0) }
            }
            if !content { content = contentWords.contains { equals(scratch, word, $0) } }
            if position + 1 < words.count {
                let following = words[position + 1]
                if !chrome {
                    chrome = chromePairs.contains { equals(scratch, word, $0.0) && equals(scratch, following, $0.1) }
                }
                if !content {
                    content =
                        (contentFirsts.contains { equals(scratch, word, $0) }
                            && contentSeconds.contains { equals(scratch, following, $0) })
                        || (equals(scratch, word, "content") && equals(scratch, following, "body"))
                }
            }
            // "post-date", "pubdate", "dateline", "published"; not "updates" (a live feed) nor "timeline".
            if hasPrefix(scratch, word, "date") || hasSuffix(scratch, word, "date") || contains(scratch, word, "publish") {
                flags.insert(.dateClass)
            } else if (hasPrefix(scratch, word, "time") && !hasPrefix(scratch, word, "timeline")) || hasSuffix(scratch, word, "time") {
                flags.insert(.timeClass)
            }
        }
        // A name that says both ("article-body share-enabled") decides nothing.
        if chrome != content { flags.insert(chrome ? .chromeClass : .contentClass) }
        return flags
    }

    /// Appends the lowercased words of `range` (at most 256 bytes), separated by spaces; camelCase splits words.
    private static func appendWords(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, to scratch: inout [UInt8]) {
        var previousLower = false
        for index in range.prefix(256) {
            let byte = source[index]
            if byte >= 0x80 {
                scratch.append(byte)
                previousLower = false
            } else if Byte.isAlphanumeric(byte) {
                let isUpper = byte >= 0x41 && byte <= 0x5A
                if isUpper, previousLower { scratch.append(Byte.space) }
                scratch.append(Byte.lower(byte))
                previousLower = !isUpper && Byte.isLetter(byte)
            } else {
                if scratch.last != Byte.space { scratch.append(Byte.space) }
                previousLower = false
            }
        }
    }

    static func equals(_ bytes: [UInt8], _ range: Range<Int>, _ word: StaticString) -> Bool {
        word.withUTF8Buffer { expected in
            expected.count == range.count && zip(range, expected).allSatisfy { bytes[$0.0] == $0.1 }
        }
    }

    static func hasPrefix(_ bytes: [UInt8], _ range: Range<Int>, _ word: StaticString) -> Bool {
        word.withUTF8Buffer { expected in
            expected.count <= range.count && zip(range, expected).allSatisfy { bytes[$0.0] == $0.1 }
        }
    }

    static func hasSuffix(_ bytes: [UInt8], _ range: Range<Int>, _ word: StaticString) -> Bool {
        word.withUTF8Buffer { expected in
            expected.count <= range.count && zip(range.suffix(expected.count), expected).allSatisfy { bytes[$0.0] == $0.1 }
        }
    }

    static func contains(_ bytes: [UInt8], _ range: Range<Int>, _ word: StaticString) -> Bool {
        word.withUTF8Buffer { expected in
            guard expected.count <= range.count, let first = expected.first else { return false }
            var index = range.lowerBound
            while index + expected.count <= range.upperBound {
                if bytes[index] == first, (0..<expected.count).allSatisfy({ bytes[index + $0] == expected[$0] }) { return true }
                index += 1
            }
            return false
        }
    }
}

// MARK: - Text

/// Builds collapsed text: runs of white space become one space, none at either end.
private struct TextBuilder {
    private var bytes: [UInt8] = []
    private var pendingSpace = false

    var isEmpty: Bool { bytes.isEmpty }

    mutating func addSpace() {
        if !bytes.isEmpty { pendingSpace = true }
    }

    private mutating func flushSpace() {
        if pendingSpace {
            bytes.append(Byte.space)
            pendingSpace = false
        }
    }

    mutating func append(scalar value: UInt32) {
        if HTMLText.isSpace(value) {
            addSpace()
            return
        }
        if value < 0x20 || value == 0x7F { return }  // Control characters are dropped.
        flushSpace()
        switch value {
        case ..<0x80:
            bytes.append(UInt8(value))
        case ..<0x800:
            bytes.append(UInt8(0xC0 | (value >> 6)))
            bytes.append(UInt8(0x80 | (value & 0x3F)))
        case ..<0x10000:
            bytes.append(UInt8(0xE0 | (value >> 12)))
            bytes.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (value & 0x3F)))
        default:
            bytes.append(UInt8(0xF0 | ((value >> 18) & 0x07)))
            bytes.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
            bytes.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (value & 0x3F)))
        }
    }

    /// Appends `range` of `source`, decoding character references when `decode` is set.
    mutating func append(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, decode: Bool = true, attribute: Bool = false) {
        var index = range.lowerBound
        let limit = range.upperBound
        while index < limit {
            let byte = source[index]
            if byte < 0x80 {
                if byte == Byte.ampersand, decode,
                    let reference = HTMLText.reference(source, at: index, limit: limit, attribute: attribute)
                {
                    append(scalar: reference.scalar)
                    index = reference.next
                    continue
                }
                if Byte.isSpace(byte) {
                    addSpace()
                } else if byte >= 0x20 && byte != 0x7F {
                    flushSpace()
                    bytes.append(byte)
                }
                index += 1
                continue
            }
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            let stop = min(index + length, limit)
            if byte == 0xC2 || (byte >= 0xE1 && byte <= 0xE3), HTMLText.isSpace(HTMLText.scalar(source, index..<stop)) {
                addSpace()
            } else {
                flushSpace()
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[index..<stop]))
            }
            index = stop
        }
    }

    /// The text so far, trimmed of white space and invisible format characters at either end; the builder empties.
    mutating func take() -> String {
        let text = HTMLText.trimmed(String(decoding: bytes, as: UTF8.self))
        bytes.removeAll(keepingCapacity: true)
        pendingSpace = false
        return text
    }
}

private enum HTMLText {
    /// Decoded, collapsed, trimmed text of `range` (at most `limit` bytes of it).
    static func decode(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, limit: Int = Int.max) -> String {
        var upper = range.upperBound
        if range.count > limit {
            upper = range.lowerBound + limit
            while upper > range.lowerBound, source[upper] & 0xC0 == 0x80 { upper -= 1 }  // Keep whole characters.
        }
        var builder = TextBuilder()
        builder.append(source, range.lowerBound..<upper, attribute: true)
        return builder.take()
    }

    /// `text` with character references decoded and white space collapsed and trimmed.
    static func normalized(_ text: String) -> String {
        var text = text
        return text.withUTF8 { decode($0, 0..<$0.count) }
    }

    static func isSpace(_ value: UInt32) -> Bool {
        switch value {
        case 0x09...0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// White space, or an invisible format character that should not begin or end a text.
    static func isEdgeIgnorable(_ value: UInt32) -> Bool {
        switch value {
        case 0x061C, 0x200B...0x200F, 0x202A...0x202E, 0x2060, 0x2066...0x2069, 0xFEFF: return true
        default: return isSpace(value)
        }
    }

    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isEdgeIgnorable($0.value) }),
            let last = scalars.lastIndex(where: { !isEdgeIgnorable($0.value) })
        else { return "" }
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return text }
        return String(scalars[first...last])
    }

    /// The scalar a UTF-8 sequence encodes (U+FFFD for a malformed one).
    static func scalar(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt32 {
        var iterator = UnsafeBufferPointer(rebasing: source[range]).makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) { return scalar.value }
        return 0xFFFD
    }

    /// Whether `text` holds a digit (ASCII, Arabic-Indic or Eastern Arabic-Indic).
    static func hasDigit(_ text: String) -> Bool {
        text.unicodeScalars.contains {
            (0x30...0x39).contains($0.value) || (0x660...0x669).contains($0.value) || (0x6F0...0x6F9).contains($0.value)
        }
    }

    // MARK: Character references

    /// Decodes the character reference at `index` (an '&'), returning the scalar and where text resumes; nil when it is
    /// not a reference (the '&' is then text).
    static func reference(
        _ source: UnsafeBufferPointer<UInt8>, at index: Int, limit: Int, attribute: Bool
    ) -> (scalar: UInt32, next: Int)? {
        var position = index + 1
        guard position < limit else { return nil }
        if source[position] == Byte.hash {
            position += 1
            var hex = false
            if position < limit, source[position] | 0x20 == UInt8(ascii: "x") {
                hex = true
                position += 1
            }
            var value: UInt32 = 0
            var digits = 0
            while position < limit {
                let byte = source[position]
                let digit: UInt32
                if Byte.isDigit(byte) {
                    digit = UInt32(byte - 0x30)
                } else if hex, (byte | 0x20) >= 0x61, (byte | 0x20) <= 0x66 {
                    digit = UInt32((byte | 0x20) - 0x61 + 10)
                } else {
                    break
                }
                if value <= 0x10FFFF { value = value * (hex ? 16 : 10) + digit }
                digits += 1
                position += 1
            }
            guard digits > 0 else { return nil }
            if position < limit, source[position] == Byte.semicolon { position += 1 }
            return (numericScalar(value), position)
        }
        var key: UInt64 = 0
        var length = 0
        while position < limit, Byte.isAlphanumeric(source[position]), length <= 8 {
            if length < 8 { key |= UInt64(source[position]) << UInt64(8 * length) }
            length += 1
            position += 1
        }
        guard length > 0, length <= 8, let scalar = entities[key] else { return nil }
        if position < limit, source[position] == Byte.semicolon { return (scalar, position + 1) }
        // Without ';' only the legacy names count, and in attributes not before '=' (as in "?a=1&copy=2").
        guard legacyEntities.contains(key) else { return nil }
        if attribute, position < limit, source[position] == Byte.equals || Byte.isAlphanumeric(source[position]) {
            return nil
        }
        return (scalar, position)
    }

    private static func numericScalar(_ value: UInt32) -> UInt32 {
        switch value {
        case 0, 0xD800...0xDFFF, 0x110000...: return 0xFFFD
        case 0x80...0x9F: return windows1252[Int(value - 0x80)]
        default: return value
        }
    }

    /// What numeric references 128–159 mean, as browsers read them.
    private static let windows1252: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D,
        0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,
        0x017E, 0x0178,
    ]

    private static func pack(_ name: String) -> UInt64 {
        var key: UInt64 = 0
        for (offset, byte) in name.utf8.prefix(8).enumerated() { key |= UInt64(byte) << UInt64(8 * offset) }
        return key
    }

    private static let namedEntities: [(String, UInt32)] = [
        ("amp", 0x26), ("lt", 0x3C), ("gt", 0x3E), ("quot", 0x22), ("apos", 0x27), ("nbsp", 0xA0), ("ndash", 0x2013),
        ("mdash", 0x2014), ("hellip", 0x2026), ("laquo", 0xAB), ("raquo", 0xBB), ("lsquo", 0x2018), ("rsquo", 0x2019),
        ("ldquo", 0x201C), ("rdquo", 0x201D), ("sbquo", 0x201A), ("bdquo", 0x201E), ("lsaquo", 0x2039), ("rsaquo", 0x203A),
        ("zwnj", 0x200C), ("zwj", 0x200D), ("lrm", 0x200E), ("rlm", 0x200F), ("copy", 0xA9), ("reg", 0xAE),
        ("trade", 0x2122), ("times", 0xD7), ("divide", 0xF7), ("middot", 0xB7), ("bull", 0x2022), ("deg", 0xB0),
        ("shy", 0xAD), ("ensp", 0x2002), ("emsp", 0x2003), ("thinsp", 0x2009), ("hairsp", 0x200A), ("euro", 0x20AC),
        ("pound", 0xA3), ("yen", 0xA5), ("cent", 0xA2), ("sect", 0xA7), ("para", 0xB6), ("iexcl", 0xA1),
        ("iquest", 0xBF), ("prime", 0x2032), ("Prime", 0x2033), ("hyphen", 0x2010), ("minus", 0x2212),
        ("plusmn", 0xB1), ("frac12", 0xBD), ("frac14", 0xBC), ("frac34", 0xBE), ("sup2", 0xB2), ("sup3", 0xB3),
        ("micro", 0xB5), ("ordm", 0xBA), ("ordf", 0xAA), ("not", 0xAC), ("dagger", 0x2020), ("Dagger", 0x2021),
        ("permil", 0x2030), ("larr", 0x2190), ("rarr", 0x2192), ("uarr", 0x2191), ("darr", 0x2193), ("eacute", 0xE9),
        ("egrave", 0xE8), ("agrave", 0xE0), ("aacute", 0xE1), ("ccedil", 0xE7), ("ouml", 0xF6), ("uuml", 0xFC),
        ("auml", 0xE4), ("Eacute", 0xC9), ("colon", 0x3A), ("comma", 0x2C), ("period", 0x2E), ("excl", 0x21),
        ("quest", 0x3F), ("num", 0x23), ("dollar", 0x24), ("percnt", 0x25), ("lpar", 0x28), ("rpar", 0x29),
        ("ast", 0x2A), ("plus", 0x2B), ("sol", 0x2F), ("semi", 0x3B), ("equals", 0x3D), ("lowbar", 0x5F),
        ("grave", 0x60), ("lsqb", 0x5B), ("rsqb", 0x5D), ("lcub", 0x7B), ("rcub", 0x7D), ("verbar", 0x7C),
        ("bsol", 0x5C), ("Tab", 0x09), ("NewLine", 0x0A), ("AMP", 0x26), ("LT", 0x3C), ("GT", 0x3E), ("QUOT", 0x22),
    ]

    private static let entities: [UInt64: UInt32] = Dictionary(
        namedEntities.map { (pack($0.0), $0.1) }, uniquingKeysWith: { first, _ in first })

    private static let legacyEntities: Set<UInt64> = Set(
        ["amp", "lt", "gt", "quot", "nbsp", "copy", "reg", "laquo", "raquo", "times", "deg", "middot", "shy", "AMP", "LT", "GT", "QUOT"]
            .map(pack))
}

// MARK: - JSON-LD

private enum JSONValue {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    case other
}

/// A small JSON reader for JSON-LD: depth-capped, tolerant of trailing commas and raw control characters in strings.
private struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    let end: Int

    static let maxDepth = 48

    /// The complete top-level values in `range`; wrappers around them (HTML comments, CDATA) are skipped, and reading
    /// stops after a few malformed attempts.
    static func values(in bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [JSONValue] {
        var reader = JSONReader(bytes: bytes, position: range.lowerBound, end: range.upperBound)
        var values: [JSONValue] = []
        var failures = 0
        while values.count < 16, failures < 8, reader.skipToContainer() {
            let start = reader.position
            if let value = reader.value(depth: 0) {
                values.append(value)
            } else {
                failures += 1
                reader.position = start + 1
            }
        }
        return values
    }

    private mutating func skipToContainer() -> Bool {
        while position < end {
            if bytes[position] == UInt8(ascii: "{") || bytes[position] == UInt8(ascii: "[") { return true }
            position += 1
        }
        return false
    }

    private mutating func skipWhitespace() {
        while position < end, Byte.isSpace(bytes[position]) { position += 1 }
    }

    private mutating func value(depth: Int) -> JSONValue? {
        skipWhitespace()
        guard position < end else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            guard depth < Self.maxDepth else { return nil }
            return object(depth: depth)
        case UInt8(ascii: "["):
            guard depth < Self.maxDepth else { return nil }
            return array(depth: depth)
        case Byte.doubleQuote:
            return string().map(JSONValue.string)
        default:
            let start = position
            while position < end {
                let byte = bytes[position]
                let isSign = byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                guard Byte.isAlphanumeric(byte) || isSign else { break }
                position += 1
            }
            return position > start ? .other : nil
        }
    }

    private mutating func object(depth: Int) -> JSONValue? {
        position += 1
        var members: [(key: String, value: JSONValue)] = []
        while true {
            skipWhitespace()
            guard position < end else { return nil }
            if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            guard bytes[position] == Byte.doubleQuote, let key = string() else { return nil }
            skipWhitespace()
            guard position < end, bytes[position] == UInt8(ascii: ":") else { return nil }
            position += 1
            guard let value = value(depth: depth + 1) else { return nil }
            members.append((key, value))
            skipWhitespace()
            guard position < end else { return nil }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] != UInt8(ascii: "}") {
                return nil
            }
        }
    }

    private mutating func array(depth: Int) -> JSONValue? {
        position += 1
        var items: [JSONValue] = []
        while true {
            skipWhitespace()
            guard position < end else { return nil }
            if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(items)
            }
            guard let item = value(depth: depth + 1) else { return nil }
            items.append(item)
            skipWhitespace()
            guard position < end else { return nil }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] != UInt8(ascii: "]") {
                return nil
            }
        }
    }

    private mutating func string() -> String? {
        position += 1
        var output: [UInt8] = []
        var runStart = position
        while position < end {
            let byte = bytes[position]
            if byte == Byte.doubleQuote {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
                position += 1
                return String(decoding: output, as: UTF8.self)
            }
            guard byte == UInt8(ascii: "\\") else {
                position += 1
                continue
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
            position += 1
            guard position < end else { return nil }
            let escaped = bytes[position]
            position += 1
            switch escaped {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hex4() else { return nil }
                var scalar = UInt32(unit)
                if (0xD800...0xDBFF).contains(unit) {
                    scalar = 0xFFFD
                    let save = position
                    if position + 6 <= end, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                        position += 2
                        if let low = hex4(), (0xDC00...0xDFFF).contains(low) {
                            scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                        } else {
                            position = save
                        }
                    }
                } else if (0xDC00...0xDFFF).contains(unit) {
                    scalar = 0xFFFD
                }
                if let value = Unicode.Scalar(scalar) { output.append(contentsOf: String(Character(value)).utf8) }
            default: output.append(escaped)  // \" \\ \/ and, tolerantly, anything else.
            }
            runStart = position
        }
        return nil
    }

    private mutating func hex4() -> UInt16? {
        guard position + 4 <= end else { return nil }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[position] | 0x20
            let digit: UInt16
            if Byte.isDigit(bytes[position]) {
                digit = UInt16(bytes[position] - 0x30)
            } else if byte >= 0x61, byte <= 0x66 {
                digit = UInt16(byte - 0x61 + 10)
            } else {
                return nil
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}

/// What the page's JSON-LD says about the article. Article-typed objects are asked first, then any other object.
private struct LinkedData {
    var datePublished: String?
    var headline: String?
    var publisherName: String?

    private typealias Object = [(key: String, value: JSONValue)]

    init(source: UnsafeBufferPointer<UInt8>, scripts: [Range<Int>]) {
        var objects: [Object] = []
        for script in scripts {
            var pending = Array(JSONReader.values(in: source, script).reversed())
            while objects.count < 20_000, let value = pending.popLast() {
                switch value {
                case .object(let members):
                    objects.append(members)
                    pending.append(contentsOf: members.reversed().map(\.value))
                case .array(let items):
                    pending.append(contentsOf: items.reversed())
                case .string, .other:
                    break
                }
            }
        }
        guard !objects.isEmpty else { return }
        var namesByID: [String: String] = [:]
        for object in objects {
            if case .string(let id) = Self.member(object, "@id"), namesByID[id] == nil, let name = Self.text(Self.member(object, "name")) {
                namesByID[id] = name
            }
        }
        let ordered = objects.filter(Self.isArticle) + objects.filter { !Self.isArticle($0) }
        datePublished = ordered.lazy.compactMap { Self.text(Self.member($0, "datePublished")) }.first
        headline = ordered.lazy.compactMap { Self.text(Self.member($0, "headline")) }.first
        publisherName =
            ordered.lazy.compactMap { object in
                Self.member(object, "publisher").flatMap { Self.name(of: $0, namesByID: namesByID) }
            }.first
    }

    private static func member(_ object: Object, _ key: String) -> JSONValue? {
        object.first { $0.key == key }?.value
    }

    /// A string value (or the first string of an array), normalized; nil when empty.
    private static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let string):
            let text = HTMLText.normalized(string)
            return text.isEmpty ? nil : text
        case .array(let items):
            return items.lazy.compactMap { item -> String? in
                if case .string = item { return text(item) }
                return nil
            }.first
        default:
            return nil
        }
    }

    private static func isArticle(_ object: Object) -> Bool {
        let types: [String]
        switch member(object, "@type") {
        case .string(let type): types = [type]
        case .array(let items):
            types = items.compactMap {
                if case .string(let type) = $0 { return type }
                return nil
            }
        default: types = []
        }
        return types.contains { $0.contains("Article") || $0.contains("Posting") || $0 == "Report" }
    }

    /// A publisher's name: a string, an object's "name", or the "name" of the object its "@id" points to.
    private static func name(of publisher: JSONValue, namesByID: [String: String]) -> String? {
        switch publisher {
        case .string:
            return text(publisher)
        case .object(let members):
            if let name = text(member(members, "name")) { return name }
            guard case .string(let id) = member(members, "@id") else { return nil }
            return namesByID[id]
        case .array(let items):
            return items.lazy.compactMap { name(of: $0, namesByID: namesByID) }.first
        case .other:
            return nil
        }
    }
}

// MARK: - Analysis

/// Chooses the main content and reads the page's fields from the tree.
private struct PageAnalyzer {
    let source: UnsafeBufferPointer<UInt8>
    let nodes: [Node]
    let values: [Range<Int>]
    let meta: MetaFields
    let titleRange: Range<Int>?
    let linkedDataScripts: [Range<Int>]

    /// The node, or an ancestor, is never content (dropped tag or hidden).
    private var dropped: [Bool] = []
    private var depth: [Int32] = []
    /// Per text node: its length in bytes (white space aside) when it counts as paragraph text, else 0.
    private var paragraphLength: [Int32] = []
    /// The element is page chrome: by tag, class, id or role, and neither holding the headline nor most of the text.
    private var chrome: [Bool] = []
    /// A strict ancestor is chrome.
    private var underChrome: [Bool] = []

    /// Paragraph text per element, and the text its direct <p> children and direct inline content carry.
    private struct Scores {
        var paragraph: [Int32]
        var direct: [Int32]
    }

    init(tree: TreeBuilder) {
        source = tree.source
        nodes = tree.nodes
        values = tree.values
        meta = tree.meta
        titleRange = tree.titleRange
        linkedDataScripts = tree.linkedData
    }

    private var count: Int { nodes.count }

    private func end(_ index: Int) -> Int { Int(nodes[index].end) }
    private func parent(_ index: Int) -> Int { Int(nodes[index].parent) }
    private func props(_ index: Int) -> TagProps { TagProps.of(nodes[index].tag) }
    private func isTag(_ index: Int, _ tag: Tag) -> Bool { nodes[index].tag == tag.id }

    /// Dropped by its own tag or attributes.
    private func isDroppedItself(_ index: Int) -> Bool {
        props(index).contains(.dropped) || nodes[index].flags.contains(.hidden)
    }

    /// Chrome by its own tag, class, id or role, before exemptions.
    private func looksLikeChrome(_ index: Int) -> Bool {
        let node = nodes[index]
        switch node.tag {
        case Tag.html.id, Tag.body.id, Tag.main.id, Tag.article.id, Tag.documentNode.id: return false
        default: break
        }
        if node.flags.contains(.articleBody) { return false }
        return node.flags.contains(.chromeClass) || node.flags.contains(.chromeRole) || props(index).contains(.chrome)
    }

    mutating func page() -> HTMLPage {
        computeStructure()
        let raw = scores(excludingChrome: false)
        let linkedData = LinkedData(source: source, scripts: linkedDataScripts)
        let siteName = meta.ogSiteName ?? linkedData.publisherName ?? meta.applicationName
        let pageTitle = titleRange.map { HTMLText.decode(source, $0, limit: 65_536) }.flatMap { $0.isEmpty ? nil : $0 }
        let headline = chooseHeadline(references: [meta.ogTitle, meta.twitterTitle, linkedData.headline, pageTitle].compactMap { $0 })
        computeChrome(headline: headline, raw: raw)
        let final = scores(excludingChrome: true)
        let root = chooseRoot(final)

        let regions = dateRegions(root: root, headline: headline)
        let dates = findDates(in: regions, anchor: headline ?? root)
        let (blocks, titleNode) = collectBlocks(root: root, excluded: dates.excluded)

        var page = HTMLPage(siteName: siteName, blocks: blocks)
        let rootTitle = titleNode.map { elementText($0) }.flatMap { $0.isEmpty ? nil : $0 }
        let outsideTitle = headline.map { elementText($0) }.flatMap { $0.isEmpty ? nil : $0 }
        page.title =
            rootTitle
            ?? meta.ogTitle.map { TitleCleaner.clean($0, siteName: siteName, allowShortSuffix: false) }
            ?? meta.twitterTitle.map { TitleCleaner.clean($0, siteName: siteName, allowShortSuffix: false) }
            ?? linkedData.headline
            ?? outsideTitle
            ?? pageTitle.map { TitleCleaner.clean($0, siteName: siteName, allowShortSuffix: true) }
        page.published =
            meta.articlePublished ?? meta.namedDate ?? meta.itempropDate ?? itempropElementDate() ?? linkedData.datePublished
            ?? dates.firstDatetime
        if page.published == nil { page.publishedText = dates.text }
        page.url = meta.canonical ?? meta.ogURL
        return page
    }

    // MARK: Structure and scores

    private mutating func computeStructure() {
        dropped = Array(repeating: false, count: count)
        depth = Array(repeating: 0, count: count)
        paragraphLength = Array(repeating: 0, count: count)
        var inLink = Array(repeating: false, count: count)
        var blockOwner = Array(repeating: Int32(0), count: count)
        for index in 1..<max(count, 1) {
            let node = nodes[index]
            let up = Int(node.parent)
            if node.isText {
                dropped[index] = dropped[up]
                let owner = Int(blockOwner[up])
                if !inLink[up], !props(owner).contains(.notParagraphText) {
                    var length: Int32 = 0
                    for offset in Int(node.start)..<Int(node.stop) where !Byte.isSpace(source[offset]) { length += 1 }
                    paragraphLength[index] = length
                }
                continue
            }
            dropped[index] = dropped[up] || isDroppedItself(index)
            depth[index] = depth[up] + 1
            inLink[index] = inLink[up] || node.tag == Tag.a.id
            blockOwner[index] = props(index).contains(.block) ? Int32(index) : blockOwner[up]
        }
    }

    /// Bottom-up text sums. Dropped elements (and chrome, when asked) contribute nothing to their ancestors.
    private func scores(excludingChrome: Bool) -> Scores {
        var paragraph = Array(repeating: Int32(0), count: count)
        var inline = Array(repeating: Int32(0), count: count)
        var directParagraphs = Array(repeating: Int32(0), count: count)
        var direct = Array(repeating: Int32(0), count: count)
        var index = count - 1
        while index >= 1 {
            let node = nodes[index]
            let up = Int(node.parent)
            if node.isText {
                paragraph[up] += paragraphLength[index]
                inline[up] += paragraphLength[index]
            } else if !isDroppedItself(index), !(excludingChrome && chrome[index]) {
                paragraph[up] += paragraph[index]
                if props(index).contains(.block) {
                    direct[index] = inline[index] + directParagraphs[index]
                    if node.tag == Tag.p.id { directParagraphs[up] += paragraph[index] }
                } else {
                    inline[up] += inline[index]
                    directParagraphs[up] += directParagraphs[index]
                }
            }
            index -= 1
        }
        if count > 0 { direct[0] = inline[0] + directParagraphs[0] }
        return Scores(paragraph: paragraph, direct: direct)
    }

    /// The headline <h1>: preferring one inside an <article>, then one matching the page's other titles, and avoiding
    /// ones in page chrome (a site logo in the header). Only the first 64 are considered; ties go to the first.
    private func chooseHeadline(references: [String]) -> Int? {
        var best: (index: Int, score: Int)?
        var examined = 0
        for index in 1..<max(count, 1) where isTag(index, .h1) && !dropped[index] {
            examined += 1
            if examined > 64 { break }
            let text = elementText(index, nodeLimit: 256)
            guard !text.isEmpty else { continue }
            var inArticle = false
            var inChrome = false
            var ancestor = parent(index)
            while ancestor > 0 {
                if isTag(ancestor, .article) { inArticle = true }
                if looksLikeChrome(ancestor), !isTag(ancestor, .form) { inChrome = true }
                ancestor = parent(ancestor)
            }
            var score = 0
            if inArticle { score += 4 }
            if inChrome { score -= 3 }
            score += references.map { TitleCleaner.similarity($0, text) }.max() ?? 0
            if best.map({ score > $0.score }) ?? true { best = (index, score) }
        }
        return best?.index
    }

    private mutating func computeChrome(headline: Int?, raw: Scores) {
        var holdsHeadline = Array(repeating: false, count: count)
        if var ancestor = headline {
            while ancestor > 0 {
                holdsHeadline[ancestor] = true
                ancestor = parent(ancestor)
            }
        }
        let total = Int(raw.paragraph.first ?? 0)
        chrome = Array(repeating: false, count: count)
        underChrome = Array(repeating: false, count: count)
        for index in 1..<max(count, 1) where !nodes[index].isText {
            let holdsMostText = total > 0 && Int(raw.paragraph[index]) * 2 > total
            chrome[index] = looksLikeChrome(index) && !holdsHeadline[index] && !holdsMostText
            let up = parent(index)
            underChrome[index] = underChrome[up] || chrome[up]
        }
    }

    /// The content root: the best <article>, else the best itemprop=articleBody / content-class element, else the
    /// element whose direct paragraphs carry the most text. A candidate must hold at least half the text of that last one.
    /// Only elements that are not dropped are considered; ones outside page chrome come first.
    private func chooseRoot(_ scores: Scores) -> Int {
        var bestClean: (index: Int, score: Int)?
        var bestAny: (index: Int, score: Int)?
        var articles: [Int] = []
        var contents: [Int] = []
        var body: Int?
        for index in 0..<count where !nodes[index].isText && !dropped[index] {
            let node = nodes[index]
            let score = Int(scores.direct[index])
            let clean = !chrome[index] && !underChrome[index]
            if score > 0 {
                if bestAny.map({ score > $0.score }) ?? true { bestAny = (index, score) }
                if clean, bestClean.map({ score > $0.score }) ?? true { bestClean = (index, score) }
            }
            if node.tag == Tag.article.id { articles.append(index) }
            if node.flags.contains(.articleBody) || node.flags.contains(.contentClass) { contents.append(index) }
            if node.tag == Tag.body.id, body == nil { body = index }
        }
        let reference = (bestClean ?? bestAny)?.score ?? 0
        for candidates in [articles, contents] {
            if let chosen = pick(candidates, scores), Int(scores.paragraph[chosen]) * 2 >= reference { return chosen }
        }
        guard var chosen = (bestClean ?? bestAny)?.index else { return body ?? 0 }
        // Paragraphs wrapped one per <div>: climb (at most three levels) while the parent holds three times the text.
        for _ in 0..<3 {
            let up = parent(chosen)
            guard up > 0, !isTag(up, .body), !isTag(up, .html), !chrome[up],
                Int(scores.paragraph[up]) >= 3 * max(Int(scores.paragraph[chosen]), 1)
            else { break }
            chosen = up
        }
        return chosen
    }

    /// The candidate with the most paragraph text (clean ones first), or a deeper candidate inside it holding 90% of it.
    private func pick(_ candidates: [Int], _ scores: Scores) -> Int? {
        var best: Int?
        var bestKey = (clean: false, score: -1)
        for candidate in candidates {
            let key = (clean: !chrome[candidate] && !underChrome[candidate], score: Int(scores.paragraph[candidate]))
            if (key.clean && !bestKey.clean) || (key.clean == bestKey.clean && key.score > bestKey.score) {
                best = candidate
                bestKey = key
            }
        }
        guard var chosen = best else { return nil }
        let outer = chosen
        for candidate in candidates where candidate > outer && candidate < end(outer) {
            if Int(scores.paragraph[candidate]) * 10 >= bestKey.score * 9, depth[candidate] > depth[chosen] { chosen = candidate }
        }
        return chosen
    }

    // MARK: Dates

    private struct Dates {
        var firstDatetime: String?
        var text: String?
        var excluded: Set<Int> = []
    }

    /// The root, plus the neighbourhood of a headline outside it (its grandparent), as sorted, non-overlapping subtrees.
    private func dateRegions(root: Int, headline: Int?) -> [Int] {
        guard let headline, !(headline > root && headline < end(root)) else { return [root] }
        var region = parent(headline)
        let grand = parent(region)
        if grand > 0, !isTag(grand, .body), !isTag(grand, .html) { region = grand }
        if region <= root && end(region) >= end(root) { return [region] }
        if root < region && end(root) >= end(region) { return [root] }
        return region < root ? [region, root] : [root, region]
    }

    private func findDates(in regions: [Int], anchor: Int) -> Dates {
        var dates = Dates()
        var best: (tier: Int, distance: Int, text: String)?
        for region in regions {
            var index = region + 1
            let stop = end(region)
            while index < stop {
                let node = nodes[index]
                if node.isText {
                    index += 1
                    continue
                }
                if isDroppedItself(index) {
                    index = end(index)
                    continue
                }
                noteDatetime(index, into: &dates)
                let isTime = node.tag == Tag.time.id || node.flags.contains(.datePublished)
                let tier = isTime ? 0 : node.flags.contains(.dateClass) ? 1 : node.flags.contains(.timeClass) ? 2 : -1
                if tier >= 0, end(index) - index <= 64, !isInRunningText(index, within: region) {
                    let text = elementText(index)
                    let length = text.count
                    if length > 0, length <= 100, isTime || HTMLText.hasDigit(text) {
                        dates.excluded.insert(index)
                        let distance = abs(index - anchor)
                        if best.map({ (tier, distance) < ($0.tier, $0.distance) }) ?? true { best = (tier, distance, text) }
                        for inner in (index + 1)..<end(index) { noteDatetime(inner, into: &dates) }
                        index = end(index)
                        continue
                    }
                }
                index += 1
            }
        }
        dates.text = best?.text
        return dates
    }

    private func noteDatetime(_ index: Int, into dates: inout Dates) {
        let node = nodes[index]
        guard dates.firstDatetime == nil, node.flags.contains(.hasDatetime), node.start >= 0, Int(node.start) < values.count
        else { return }
        let text = HTMLText.decode(source, values[Int(node.start)], limit: 1024)
        if !text.isEmpty { dates.firstDatetime = text }
    }

    /// Whether an ancestor below `region`, at most 32 levels up, is a paragraph or heading (a date there is part of
    /// a sentence).
    private func isInRunningText(_ index: Int, within region: Int) -> Bool {
        var ancestor = parent(index)
        var levels = 0
        while ancestor > region, levels < 32 {
            if isTag(ancestor, .p) || props(ancestor).contains(.heading) { return true }
            ancestor = parent(ancestor)
            levels += 1
        }
        return false
    }

    /// The first itemprop=datePublished element outside <meta> (of the first 16): its datetime or content attribute,
    /// else its text.
    private func itempropElementDate() -> String? {
        var examined = 0
        for index in 1..<max(count, 1) where nodes[index].flags.contains(.datePublished) {
            examined += 1
            if examined > 16 { break }
            let node = nodes[index]
            let text =
                node.start >= 0 && Int(node.start) < values.count
                ? HTMLText.decode(source, values[Int(node.start)], limit: 1024) : elementText(index)
            if !text.isEmpty { return text }
        }
        return nil
    }

    // MARK: Text

    /// The collapsed text of an element, dropped descendants aside; only its first `nodeLimit` nodes are read.
    private func elementText(_ element: Int, nodeLimit: Int = Int.max) -> String {
        var builder = TextBuilder()
        var index = element + 1
        let stop = min(end(element), element + 1 + min(nodeLimit, count))
        while index < stop {
            let node = nodes[index]
            if node.isText {
                builder.append(source, Int(node.start)..<Int(node.stop))
            } else if isDroppedItself(index) {
                index = end(index)
                continue
            } else if node.tag == Tag.br.id || props(index).contains(.block) {
                builder.addSpace()
            }
            index += 1
        }
        return builder.take()
    }

    /// The blocks under `root`, and the first <h1> there (the title, which is not a block).
    private func collectBlocks(root: Int, excluded: Set<Int>) -> (blocks: [HTMLPage.Block], title: Int?) {
        var blocks: [HTMLPage.Block] = []
        var builder = TextBuilder()
        var contexts: [(end: Int, kind: HTMLPage.Block.Kind)] = []
        var title: Int?

        func flush(_ kind: HTMLPage.Block.Kind) {
            guard !builder.isEmpty else { return }
            let text = builder.take()
            if !text.isEmpty { blocks.append(HTMLPage.Block(kind: kind, text: text)) }
        }

        var index = root + 1
        let stop = end(root)
        while index < stop {
            while let context = contexts.last, context.end <= index {
                flush(context.kind)
                contexts.removeLast()
            }
            let kind = contexts.last?.kind ?? .paragraph
            let node = nodes[index]
            if node.isText {
                builder.append(source, Int(node.start)..<Int(node.stop))
                index += 1
                continue
            }
            if node.tag == Tag.h1.id || isDroppedItself(index) || chrome[index] || excluded.contains(index) {
                if node.tag == Tag.h1.id, title == nil, !isDroppedItself(index), !chrome[index] { title = index }
                index = end(index)
                continue
            }
            let tagProps = props(index)
            if node.tag == Tag.br.id {
                if kind == .paragraph { flush(kind) } else { builder.addSpace() }
            } else if node.tag == Tag.hr.id {
                flush(kind)
            } else if tagProps.contains(.block) {
                flush(kind)
                let inner: HTMLPage.Block.Kind = tagProps.contains(.heading) ? .heading : node.tag == Tag.li.id ? .listItem : kind
                contexts.append((end(index), inner))
            }
            index += 1
        }
        while let context = contexts.popLast() { flush(context.kind) }
        flush(.paragraph)
        return (blocks, title)
    }
}

// MARK: - Titles

private enum TitleCleaner {
    /// Separators between a headline and a site name.
    private static let separators = ["|", " - ", " – ", " — ", " :: ", " · ", " • "]

    /// `title` without a site prefix or suffix: one naming `siteName`, or (when `allowShortSuffix`) a suffix of at
    /// most three words after a clearly longer headline.
    static func clean(_ title: String, siteName: String?, allowShortSuffix: Bool) -> String {
        var cuts: [Range<String.Index>] = []
        for separator in separators { cuts.append(contentsOf: title.ranges(of: separator)) }
        cuts.sort { $0.lowerBound < $1.lowerBound }
        guard let first = cuts.first, let last = cuts.last else { return title }
        let head = HTMLText.trimmed(String(title[..<last.lowerBound]))
        let suffix = HTMLText.trimmed(String(title[last.upperBound...]))
        if let siteName, !siteName.isEmpty {
            if !head.isEmpty, sameName(suffix, siteName) { return head }
            let prefix = HTMLText.trimmed(String(title[..<first.lowerBound]))
            let rest = HTMLText.trimmed(String(title[first.upperBound...]))
            if !rest.isEmpty, sameName(prefix, siteName) { return rest }
        }
        if allowShortSuffix, !head.isEmpty, !suffix.isEmpty {
            let suffixWords = wordCount(suffix)
            if suffixWords <= 3, wordCount(head) >= suffixWords + 2 { return head }
        }
        return title
    }

    /// How well an <h1> text matches a title from the metadata: 3 when equal (case and spacing aside), 2 when one
    /// contains the other and is at least half as long (a title with a site suffix), 1 for a lesser containment (a site
    /// name), else 0.
    static func similarity(_ title: String, _ heading: String) -> Int {
        let a = squeezed(title)
        let b = squeezed(heading)
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        if a == b { return 3 }
        guard a.utf8.count <= searchLimit, b.utf8.count <= searchLimit else { return 0 }
        let (shorter, longer) = a.count < b.count ? (a, b) : (b, a)
        guard shorter.count >= 4, longer.contains(shorter) else { return 0 }
        return shorter.count * 2 >= longer.count ? 2 : 1
    }

    private static func sameName(_ part: String, _ siteName: String) -> Bool {
        let a = squeezed(part)
        let b = squeezed(siteName)
        guard !a.isEmpty, !b.isEmpty else { return false }
        guard a.utf8.count <= searchLimit, b.utf8.count <= searchLimit else { return a == b }
        return a == b || (a.count >= 3 && b.contains(a)) || (b.count >= 3 && a.contains(b))
    }

    /// Texts longer than this (in bytes) are not searched within each other, only compared.
    private static let searchLimit = 2048

    /// Lowercased, without white space.
    private static func squeezed(_ text: String) -> String {
        String(text.lowercased().unicodeScalars.filter { !HTMLText.isSpace($0.value) })
    }

    private static func wordCount(_ text: String) -> Int {
        text.split(whereSeparator: { $0.isWhitespace }).count
    }
}
