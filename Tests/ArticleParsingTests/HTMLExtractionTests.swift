import Testing

@testable import ArticleParsing

/// `HTMLArticleExtractor` on Arabic news pages: main-content choice, metadata fallbacks, text decoding, hostile input.
@Suite struct HTMLExtractionTests {
    typealias Block = HTMLPage.Block

    /// A typical page: site header with menu, breadcrumb, headline, byline, share buttons, body with a subheading,
    /// tags, related stories, sidebar and footer.
    static let newsPage = """
        <!DOCTYPE html>
        <html lang="ar" dir="rtl">
        <head>
        <meta charset="utf-8">
        <title>الحكومة تعلن خطة جديدة لدعم المزارعين | أخبار الوطن</title>
        <meta property="og:title" content="الحكومة تعلن خطة جديدة لدعم المزارعين | أخبار الوطن">
        <meta property="og:site_name" content="أخبار الوطن">
        <meta property="article:published_time" content="2024-03-12T09:30:00+03:00">
        <link rel="canonical" href="https://example.com/news/2024/03/12/farmers">
        <script>var x = "<p>ليس نصاً</p>"; if (a < b) { document.write("</div>"); }</script>
        <style>p { color: red } /* <p>no</p> */</style>
        </head>
        <body class="rtl">
        <header class="site-header"><a class="logo" href="/">أخبار الوطن</a>
        <nav class="main-menu"><ul><li><a href="/">الرئيسية</a></li><li><a href="/politics">سياسة</a></li>
        <li><a href="/economy">اقتصاد</a></li></ul></nav>
        </header>
        <div class="container">
        <ol class="breadcrumb"><li><a href="/">الرئيسية</a></li><li><a href="/economy">اقتصاد</a></li></ol>
        <main>
        <article class="news-article">
        <h1 class="article-title">الحكومة تعلن خطة جديدة لدعم المزارعين</h1>
        <div class="article-meta"><span class="date">12 مارس 2024</span> <span class="author">محمد علي</span></div>
        <div class="share-buttons"><a href="#">فيسبوك</a> <a href="#">تويتر</a> <button>نسخ الرابط</button></div>
        <div class="article-body">
        <p>أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية، تتضمن قروضاً ميسرة.</p>
        <!-- إعلان --><div class="ad-slot">إعلان</div>
        <p>وقال وزير الزراعة في مؤتمر صحفي إن الخطة ستنفذ على ثلاث مراحل خلال العامين المقبلين.</p>
        <h2>تفاصيل المرحلة الأولى</h2>
        <p>تبدأ المرحلة الأولى في شهر أبريل وتشمل <strong>خمس محافظات</strong> في <a href="/south">الجنوب</a>.</p>
        </div>
        <div class="tags"><a href="/tag/1">زراعة</a><a href="/tag/2">اقتصاد</a></div>
        <div class="related-news"><h3>أخبار ذات صلة</h3><ul><li><a href="/a">ارتفاع أسعار القمح</a></li>
        <li><a href="/b">موسم الحصاد يبدأ مبكراً</a></li></ul></div>
        </article>
        </main>
        <aside class="sidebar"><div class="most-read"><h3>الأكثر قراءة</h3>
        <p>خبر جانبي طويل نسبياً لا علاقة له بالمقال الرئيسي على الإطلاق وهو في الشريط الجانبي.</p></div></aside>
        </div>
        <footer class="site-footer"><p>جميع الحقوق محفوظة © 2024 أخبار الوطن</p></footer>
        </body></html>
        """

    @Test func typicalNewsPage() {
        let page = HTMLArticleExtractor.extract(Self.newsPage)
        #expect(page.title == "الحكومة تعلن خطة جديدة لدعم المزارعين")
        #expect(page.published == "2024-03-12T09:30:00+03:00")
        #expect(page.publishedText == nil)
        #expect(page.siteName == "أخبار الوطن")
        #expect(page.url == "https://example.com/news/2024/03/12/farmers")
        #expect(
            page.blocks == [
                Block(kind: .paragraph, text: "أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية، تتضمن قروضاً ميسرة."),
                Block(kind: .paragraph, text: "وقال وزير الزراعة في مؤتمر صحفي إن الخطة ستنفذ على ثلاث مراحل خلال العامين المقبلين."),
                Block(kind: .heading, text: "تفاصيل المرحلة الأولى"),
                Block(kind: .paragraph, text: "تبدأ المرحلة الأولى في شهر أبريل وتشمل خمس محافظات في الجنوب."),
            ])
    }

    @Test func titleFallsBackToOpenGraphWithoutTheSiteName() {
        let page = HTMLArticleExtractor.extract(
            """
            <html><head><title>لا يستخدم</title><meta property="og:site_name" content="الجزيرة نت">
            <meta property="og:title" content="انطلاق القمة العربية في الرياض - الجزيرة نت"></head>
            <body><div class="content"><p>نص الخبر الأول عن القمة العربية المنعقدة اليوم في العاصمة السعودية.</p></div></body></html>
            """)
        #expect(page.title == "انطلاق القمة العربية في الرياض")
        #expect(page.siteName == "الجزيرة نت")
        #expect(page.blocks == [Block(kind: .paragraph, text: "نص الخبر الأول عن القمة العربية المنعقدة اليوم في العاصمة السعودية.")])

        let twitter = HTMLArticleExtractor.extract(
            """
            <head><meta name="twitter:title" content="  وزير   الخارجية يزور &quot;بغداد&quot; "><title>س - ص</title></head><p>نص</p>
            """)
        #expect(twitter.title == "وزير الخارجية يزور \"بغداد\"")
    }

    @Test func titleFallsBackToTheTitleElementWithoutASiteSuffix() {
        let short = HTMLArticleExtractor.extract(
            "<html><head><title>عنوان الخبر الرئيسي هنا | الموقع</title></head><body><p>فقرة أولى من نص الخبر.</p></body></html>")
        #expect(short.title == "عنوان الخبر الرئيسي هنا")
        #expect(short.blocks == [Block(kind: .paragraph, text: "فقرة أولى من نص الخبر.")])

        // A long suffix goes only when it names the site; a dash inside the headline stays.
        let named = HTMLArticleExtractor.extract(
            """
            <title>سوريا - تطورات الوضع الميداني في الشمال - وكالة الأنباء العربية السورية</title>
            <meta name="application-name" content="وكالة الأنباء العربية السورية"><p>نص</p>
            """)
        #expect(named.title == "سوريا - تطورات الوضع الميداني في الشمال")
        #expect(named.siteName == "وكالة الأنباء العربية السورية")

        let unnamed = HTMLArticleExtractor.extract("<title>اجتماع طارئ لمجلس الأمن - الوكالة الوطنية للإعلام الرسمي</title><p>نص</p>")
        #expect(unnamed.title == "اجتماع طارئ لمجلس الأمن - الوكالة الوطنية للإعلام الرسمي")
    }

    @Test func jsonLDInAGraph() {
        let page = HTMLArticleExtractor.extract(
            """
            <html><head>
            <script type="application/ld+json">{"@type": "NewsArticle", "headline": "مكسور" "datePublished": "1999"}</script>
            <script type="application/ld+json">
            //<![CDATA[
            {"@context":"https://schema.org","@graph":[
              {"@type":"NewsMediaOrganization","@id":"https://alghad.example/#org","name":"صحيفة الغد"},
              {"@type":"WebPage","@id":"https://alghad.example/p/1","datePublished":"2020-01-01"},
              {"@type":["NewsArticle"],"headline":"البرلمان يقر \\"الموازنة\\" العامة \\u0644\\u0644\\u0639\\u0627\\u0645 الجديد",
               "datePublished":"2024-05-01T08:00:00Z","publisher":{"@id":"https://alghad.example/#org"},
               "author":[{"@type":"Person","name":"سارة"}],}
            ]}
            //]]>
            </script></head>
            <body><div class="post-content"><p>أقر البرلمان في جلسته اليوم الموازنة العامة.</p></div></body></html>
            """)
        #expect(page.published == "2024-05-01T08:00:00Z")
        #expect(page.siteName == "صحيفة الغد")
        #expect(page.title == "البرلمان يقر \"الموازنة\" العامة للعام الجديد")
        #expect(page.blocks == [Block(kind: .paragraph, text: "أقر البرلمان في جلسته اليوم الموازنة العامة.")])
    }

    @Test func timeDatetimeInTheContent() {
        let page = HTMLArticleExtractor.extract(
            """
            <body><article><header><h1>افتتاح معرض الكتاب</h1>
            <time datetime="2024-06-02T10:00:00+02:00">الأحد 2 يونيو 2024</time></header>
            <p>افتتح اليوم معرض الكتاب الدولي بمشاركة مئات دور النشر العربية.</p></article></body>
            """)
        #expect(page.title == "افتتاح معرض الكتاب")
        #expect(page.published == "2024-06-02T10:00:00+02:00")
        #expect(page.publishedText == nil)
        #expect(page.blocks == [Block(kind: .paragraph, text: "افتتح اليوم معرض الكتاب الدولي بمشاركة مئات دور النشر العربية.")])
    }

    @Test func humanReadableDateNearTheHeadline() {
        let page = HTMLArticleExtractor.extract(
            """
            <body><div class="wrap"><h1>عنوان</h1>
            <div class="post-meta"><span class="post-date">نشر في: الأحد ٢ يونيو ٢٠٢٤</span></div>
            <div class="entry-content"><p>فقرة من الخبر الطويل نسبياً.</p>
            <p>قال في يوم <span class="date">٢ يونيو</span> إن الأمر انتهى.</p></div></div></body>
            """)
        #expect(page.published == nil)
        #expect(page.publishedText == "نشر في: الأحد ٢ يونيو ٢٠٢٤")
        #expect(page.title == "عنوان")
        // A date inside a sentence stays part of it.
        #expect(page.blocks.map(\.text) == ["فقرة من الخبر الطويل نسبياً.", "قال في يوم ٢ يونيو إن الأمر انتهى."])
    }

    @Test func entitiesLineBreaksAndBlockKinds() {
        let page = HTMLArticleExtractor.extract(
            """
            <article><p>السطر الأول&nbsp;&amp; &quot;اقتباس&quot;<br>
            السطر الثاني &laquo;نص&raquo; &#1605;&#x0631;&#1581;&#1576;&#1575;&hellip;<br/><br>  </p>
            <p>می&zwnj;خواهم &lrm;&amp&copy &unknown; &#0; &#150; 5 &lt; 6 &gt; 4 &mdash; &lsquo;أ&rsquo; &ldquo;ب&rdquo; &apos;&rlm;</p>
            <ul><li>بند <b>أول</b></li><li>بند<br>ثان</li></ul><div>نص مباشر في div<p>فقرة داخلية</p>ذيل</div>
            <h3>عنوان فرعي</h3></article>
            """)
        #expect(
            page.blocks == [
                Block(kind: .paragraph, text: "السطر الأول & \"اقتباس\""),
                Block(kind: .paragraph, text: "السطر الثاني «نص» مرحبا…"),
                Block(kind: .paragraph, text: "می\u{200C}خواهم \u{200E}&© &unknown; \u{FFFD} – 5 < 6 > 4 — ‘أ’ “ب” '"),
                Block(kind: .listItem, text: "بند أول"),
                Block(kind: .listItem, text: "بند ثان"),
                Block(kind: .paragraph, text: "نص مباشر في div"),
                Block(kind: .paragraph, text: "فقرة داخلية"),
                Block(kind: .paragraph, text: "ذيل"),
                Block(kind: .heading, text: "عنوان فرعي"),
            ])
    }

    @Test func theArticleWithTheMostTextWinsAndTeasersDoNot() {
        let several = HTMLArticleExtractor.extract(
            """
            <html><head><meta property="og:title" content="العنوان من og"></head><body>
            <div class="article-header"><h1>العنوان في الصفحة</h1><span class="time">منذ 3 ساعات</span></div>
            <article class="teaser"><p>قصير</p></article>
            <article class="main"><p>نص طويل للمقال الرئيسي يحتوي على تفاصيل كثيرة ومهمة للقراء.</p><p>فقرة ثانية.</p></article>
            <article class="teaser"><p>قصير آخر</p></article></body></html>
            """)
        #expect(several.blocks.map(\.text) == ["نص طويل للمقال الرئيسي يحتوي على تفاصيل كثيرة ومهمة للقراء.", "فقرة ثانية."])
        #expect(several.title == "العنوان من og")  // The <h1> is outside the chosen root.
        #expect(several.publishedText == "منذ 3 ساعات")

        // The only <article> is a teaser: the div holding the story wins.
        let teaser = HTMLArticleExtractor.extract(
            """
            <body><div id="story-page"><h1>انفجار في الميناء</h1><div class="body-text">
            <p>وقع انفجار ضخم صباح اليوم في الميناء الرئيسي للمدينة وأدى إلى أضرار كبيرة في المباني المجاورة.</p>
            <p>وأكدت السلطات أن فرق الإنقاذ تعمل على انتشال الضحايا من تحت الأنقاض منذ ساعات الصباح الأولى.</p></div></div>
            <section class="more"><article class="card"><h2>خبر آخر</h2><p>ملخص قصير.</p></article></section></body>
            """)
        #expect(teaser.blocks.count == 2)
        #expect(teaser.title == "انفجار في الميناء")
    }

    @Test func divTextWithoutParagraphsInsidePageWideWrappers() {
        // An ASP.NET form and a "with-sidebar" wrapper around everything are not page chrome.
        let page = HTMLArticleExtractor.extract(
            """
            <BODY><FORM id="aspnetForm" method="post"><DIV CLASS="layout-with-sidebar">
            <DIV id="NewsStory"><H1>عنوان الخبر</H1>النص الأول للخبر في سطر مستقل طويل بما يكفي.<BR><BR>النص الثاني للخبر بعد فاصل.<br>
            <span itemprop="datePublished" content="2023-11-05">5 نوفمبر</span>
            </DIV><div class="sidebar"><p>شيء</p></div></DIV><input type=hidden name=__VIEWSTATE value="xyz"></FORM></BODY>
            """)
        #expect(page.title == "عنوان الخبر")
        #expect(page.published == "2023-11-05")
        #expect(page.blocks.map(\.text) == ["النص الأول للخبر في سطر مستقل طويل بما يكفي.", "النص الثاني للخبر بعد فاصل."])
    }

    @Test func markupOdditiesAreTolerated() {
        let icons = String(repeating: "<path d='M0'/>", count: 2000)
        let page = HTMLArticleExtractor.extract(
            """
            <div class="entry-content"><svg/><p>قبل الأيقونة</p><svg viewBox="0 0 1 1">\(icons)</svg>
            <p>بعد الأيقونة<!-->مرئي<!--- مخفي --!>نص</p><SCRIPT>document.write("<p>لا</p>")</SCRIPT ><p/>فقرة<p>أخرى</p>
            <p hidden>مخفية</p><p style="display: none">مخفية أيضاً</p><p>أ < ب</p>
            <table><tr><td>خلية أولى<td>خلية ثانية</table><ul><li>أ<li>ب<ul><li>ج</ul></ul></div>
            """)
        #expect(
            page.blocks.map(\.text) == [
                "قبل الأيقونة", "بعد الأيقونةمرئينص", "فقرة", "أخرى", "أ < ب", "خلية أولى", "خلية ثانية", "أ", "ب", "ج",
            ])
    }

    @Test func hostileInputsReturn() {
        // An unterminated comment hides the rest of the document.
        let comment = HTMLArticleExtractor.extract("<p>قبل</p><!-- لا نهاية " + String(repeating: "<p>نص</p>", count: 50_000))
        #expect(comment.blocks == [Block(kind: .paragraph, text: "قبل")])

        // 200,000 nested divs are flattened below the depth cap; the text survives.
        let nested = String(repeating: "<div>", count: 200_000) + "نص عميق" + String(repeating: "</div>", count: 200_000)
        #expect(HTMLArticleExtractor.extract(nested).blocks == [Block(kind: .paragraph, text: "نص عميق")])
        let unclosed = String(repeating: "<div class='a'><span>", count: 100_000) + "نص"
        #expect(HTMLArticleExtractor.extract(unclosed).blocks.map(\.text) == ["نص"])

        // 5 MB of attributes in one tag, then many tags full of attributes.
        var soup = "<div "
        let attributes = String(repeating: "a=1 b='x' c=\"y\" class=\"nav share\" data-x=z / ", count: 1000)
        while soup.utf8.count < 5_000_000 { soup += attributes }
        #expect(HTMLArticleExtractor.extract(soup + ">نص</div>").blocks.map(\.text) == ["نص"])
        let tags = String(repeating: "<p class=x id='y' data-a=\"&amp;&#1;\" style=color:red>نص &amp; نص</p>", count: 50_000)
        #expect(HTMLArticleExtractor.extract(tags).blocks.count == 50_000)

        // Unterminated attribute value, unterminated script, stray '<' and lone markup characters.
        #expect(HTMLArticleExtractor.extract("<p>قبل</p><div class=\"" + String(repeating: "x ", count: 100_000)).blocks.count == 1)
        #expect(HTMLArticleExtractor.extract("<p>قبل</p><script>" + String(repeating: "<p>x</p>", count: 100_000)).blocks.count == 1)
        _ = HTMLArticleExtractor.extract(String(repeating: "< <3 a<b <> </ <!x <? &# &#x; &", count: 20_000))
        _ = HTMLArticleExtractor.extract("<script type=application/ld+json>" + String(repeating: "[{\"a\":", count: 100_000) + "</script>")
        for tiny in ["", "<", "</", "<!", "<!--", "<a", "<a b", "<a b=", "<a b='", "&", "&#", "<title>", "<svg/>"] {
            _ = HTMLArticleExtractor.extract(tiny)
        }
    }
}
