using System.Globalization;
using System.Text;

namespace Cms.Testing;

// The labelled set of story grouping (docs/benchmarks.md, "Stories"): stories told by 1-6 outlets
// each, in English, in Russian or in both, with reworded titles and rephrased excerpts drawn from
// per-event templates, some wire copies (one text reused by a second outlet), and many stories that
// share words without being the same story: the same kind of event elsewhere (another country's
// central bank raising its rate), the same company or person in another event, and common filler
// sentences. Items are the size and shape of the real sample (RealisticItemGenerator supplies
// provider, topics, images, related links and the payload). Deterministic for a seed.
// distinctSubjects: false for corpora of hundreds of thousands of items, where the week apart
// cannot hold (they measure cost, not precision).
public sealed class StoryCorpusGenerator(int seed, bool distinctSubjects = true)
{
    public sealed record LabelledItem(string FileName, string Text, int Story, string Language, bool WireCopy);

    private readonly Random _random = new(seed);
    private readonly RealisticItemGenerator _rest = new(seed + 1);

    private sealed record Place(string En, string Ru, string RuGen, string RuLoc);

    private sealed record Named(string En, string Ru);

    private static readonly Place[] Places =
    [
        new("Germany", "Германия", "Германии", "в Германии"), new("France", "Франция", "Франции", "во Франции"),
        new("Turkey", "Турция", "Турции", "в Турции"), new("Japan", "Япония", "Японии", "в Японии"),
        new("Brazil", "Бразилия", "Бразилии", "в Бразилии"), new("India", "Индия", "Индии", "в Индии"),
        new("Canada", "Канада", "Канады", "в Канаде"), new("Italy", "Италия", "Италии", "в Италии"),
        new("Spain", "Испания", "Испании", "в Испании"), new("Poland", "Польша", "Польши", "в Польше"),
        new("Egypt", "Египет", "Египта", "в Египте"), new("Mexico", "Мексика", "Мексики", "в Мексике"),
        new("Argentina", "Аргентина", "Аргентины", "в Аргентине"), new("Kenya", "Кения", "Кении", "в Кении"),
        new("Chile", "Чили", "Чили", "в Чили"), new("Norway", "Норвегия", "Норвегии", "в Норвегии"),
        new("Sweden", "Швеция", "Швеции", "в Швеции"), new("Greece", "Греция", "Греции", "в Греции"),
        new("Portugal", "Португалия", "Португалии", "в Португалии"), new("Vietnam", "Вьетнам", "Вьетнама", "во Вьетнаме"),
        new("Indonesia", "Индонезия", "Индонезии", "в Индонезии"), new("Nigeria", "Нигерия", "Нигерии", "в Нигерии"),
        new("Peru", "Перу", "Перу", "в Перу"), new("Serbia", "Сербия", "Сербии", "в Сербии"),
        new("Kazakhstan", "Казахстан", "Казахстана", "в Казахстане"), new("Georgia", "Грузия", "Грузии", "в Грузии"),
    ];

    // Companies keep their Latin names in Russian text, as Russian outlets mostly write them.
    private static readonly string[] Companies =
    [
        "Nvidia", "Boeing", "Airbus", "Tesla", "OpenAI", "Microsoft", "Apple", "Samsung", "Intel", "Siemens", "Volkswagen", "Toyota",
        "Shell", "Pfizer", "Moderna", "SpaceX", "Amazon", "Google", "Netflix", "Spotify", "Uber", "Alibaba", "Huawei", "TSMC",
        "Nokia", "Ericsson", "Lufthansa", "Ryanair", "Maersk", "Renault", "Stellantis", "Siemens Energy", "Adidas", "Nestle",
    ];

    private static readonly Named[] People =
    [
        new("Vladimir Putin", "Владимир Путин"), new("Recep Erdogan", "Реджеп Эрдоган"), new("Narendra Modi", "Нарендра Моди"),
        new("Olaf Scholz", "Олаф Шольц"), new("Emmanuel Macron", "Эмманюэль Макрон"), new("Giorgia Meloni", "Джорджа Мелони"),
        new("Javier Milei", "Хавьер Милей"), new("Lula da Silva", "Лула да Силва"), new("Antonio Guterres", "Антониу Гутерриш"),
        new("Sergey Lavrov", "Сергей Лавров"), new("Christine Lagarde", "Кристин Лагард"), new("Ursula von der Leyen", "Урсула фон дер Ляйен"),
    ];

    private static readonly string[] Products = ["AI chip", "smartphone", "electric car", "language model", "satellite", "laptop", "headset", "battery"];

    private static readonly (string Name, string Domain)[] EnglishOutlets =
    [
        ("Reuters", "reuters.com"), ("The Guardian", "theguardian.com"), ("BBC News", "bbc.co.uk"), ("Al Jazeera", "aljazeera.com"),
        ("CNBC", "cnbc.com"), ("Bloomberg", "bloomberg.com"), ("Financial Times", "ft.com"), ("The Independent", "independent.co.uk"),
        ("Sky News", "news.sky.com"), ("Politico Europe", "politico.eu"), ("Euronews", "euronews.com"), ("DW", "dw.com"),
        ("France 24", "france24.com"), ("AP News", "apnews.com"), ("The Verge", "theverge.com"), ("TechCrunch", "techcrunch.com"),
        ("Hindustan Times", "hindustantimes.com"), ("Metro", "metro.co.uk"), ("Ars Technica", "arstechnica.com"), ("The Times", "thetimes.co.uk"),
    ];

    private static readonly (string Name, string Domain)[] RussianOutlets =
    [
        ("Интерфакс", "interfax.ru"), ("РБК", "rbc.ru"), ("Коммерсантъ", "kommersant.ru"), ("Ведомости", "vedomosti.ru"),
        ("ТАСС", "tass.ru"), ("РИА Новости", "ria.ru"), ("Медуза", "meduza.io"), ("Новая газета", "novayagazeta.ru"),
        ("Известия", "iz.ru"), ("Фонтанка", "fontanka.ru"), ("Лента.ру", "lenta.ru"), ("Газета.Ru", "gazeta.ru"),
    ];

    // Sentences any story may carry: they make unrelated items share words.
    private static readonly string[] EnglishFiller =
    [
        "Analysts said the move had been widely expected by markets.", "Officials did not immediately respond to a request for comment.",
        "The announcement comes amid growing concern about the economy.", "Shares in the sector moved little in early trading.",
        "Critics warned the decision could have far-reaching consequences.", "The government said more details would follow next week.",
        "Investors are watching closely for further signals.", "The news was first reported by local media.",
        "It was not immediately clear how the plan would be funded.", "Experts expect the debate to continue for months.",
    ];

    private static readonly string[] RussianFiller =
    [
        "Аналитики отмечают, что рынок ожидал такого решения.", "Официальные лица пока не прокомментировали ситуацию.",
        "Решение принято на фоне растущей обеспокоенности состоянием экономики.", "Акции компаний сектора в начале торгов почти не изменились.",
        "Критики предупреждают о серьезных последствиях решения.", "В правительстве пообещали раскрыть подробности на следующей неделе.",
        "Инвесторы внимательно следят за дальнейшими сигналами.", "Первыми об этом сообщили местные СМИ.",
    ];

    // One kind of event: title and sentence templates per language. Slots: {P} place, {Pg} its
    // Russian genitive, {Pl} "in place" in Russian, {C} company, {C2} second company, {H} person
    // (Russian form in Russian text), {H2} second person, {N} the story's number, {M} a second
    // number, {X} product, {X2} product code.
    private sealed record EventKind(string Name, string[] EnTitles, string[] EnSentences, string[] RuTitles, string[] RuSentences);

    private static readonly EventKind[] Events =
    [
        new("rate-rise",
            ["{P} central bank raises key rate to {N}%", "Central bank of {P} hikes interest rates to {N} per cent", "{P} lifts benchmark interest rate to {N}% to fight inflation", "Rate rise in {P}: policymakers take key rate to {N}%"],
            ["The central bank of {P} raised its benchmark interest rate to {N}% on Friday.", "Policymakers in {P} said inflation remained too high and lifted the key rate by {M} points to {N}%.", "Most economists had expected {P} to take borrowing costs to {N}%.", "Borrowing costs in {P} are now at their highest level in years."],
            ["Центробанк {Pg} повысил ключевую ставку до {N}%", "Регулятор {Pg} поднял ставку до {N}% годовых", "Ключевая ставка {Pg} выросла до {N}%"],
            ["Центральный банк {Pg} повысил ключевую ставку до {N}% годовых.", "Регулятор {Pg} объяснил решение высокой инфляцией и поднял ставку на {M} п.п., до {N}%.", "Большинство экономистов ожидали повышения ставки {Pg} до {N}%."]),
        new("rate-cut",
            ["{P} central bank cuts key rate to {N}%", "Central bank of {P} lowers interest rates to {N} per cent", "{P} trims benchmark rate to {N}% as inflation eases"],
            ["The central bank of {P} cut its benchmark interest rate to {N}% on Thursday.", "Policymakers in {P} said inflation was easing and lowered the key rate by {M} points to {N}%.", "The cut to {N}% is the first easing in {P} this year."],
            ["Центробанк {Pg} снизил ключевую ставку до {N}%", "Регулятор {Pg} понизил ставку до {N}% годовых"],
            ["Центральный банк {Pg} снизил ключевую ставку до {N}% годовых.", "Регулятор {Pg} указал на замедление инфляции и снизил ставку на {M} п.п., до {N}%."]),
        new("profit",
            ["{C} quarterly profit jumps {N}%", "{C} beats forecasts as profit rises {N}%", "{C} reports {N}% rise in quarterly profit", "Strong demand lifts {C} profit by {N}%"],
            ["{C} said its quarterly net profit rose {N}% from a year earlier.", "Revenue at {C} also beat analysts' forecasts, reaching ${M} billion.", "{C} shares rose after the results, which showed profit up {N}%.", "The company said demand for its products remained strong."],
            ["Прибыль {C} выросла на {N}%", "{C} сообщила о росте квартальной прибыли на {N}%", "Квартальная прибыль {C} увеличилась на {N}%"],
            ["Чистая прибыль {C} за квартал выросла на {N}% по сравнению с прошлым годом.", "Выручка {C} превысила прогнозы аналитиков и составила ${M} млрд.", "Акции {C} подорожали после публикации отчетности."]),
        new("layoffs",
            ["{C} to cut {N},000 jobs", "{C} announces {N},000 layoffs in restructuring", "{C} plans to shed {N},000 staff", "Thousands to lose jobs as {C} cuts {N},000 roles"],
            ["{C} said it would cut about {N},000 jobs as part of a restructuring.", "The job cuts at {C} amount to around {M}% of its workforce.", "{C} said the {N},000 layoffs would save costs over the next two years.", "Unions criticised the plan by {C} to cut {N},000 positions."],
            ["{C} сократит {N} тыс. сотрудников", "{C} объявила о сокращении {N} тыс. рабочих мест", "{C} уволит {N} тысяч работников"],
            ["Компания {C} сократит около {N} тыс. сотрудников в рамках реструктуризации.", "Сокращение затронет около {M}% персонала {C}.", "Профсоюзы раскритиковали планы {C} по сокращению {N} тыс. рабочих мест."]),
        new("launch",
            ["{C} unveils {X2} {X}", "{C} launches new {X} called {X2}", "First look: {C} shows off its {X2} {X}", "{C} takes wraps off {X2}, its latest {X}"],
            ["{C} unveiled the {X2}, a new {X}, at an event on Tuesday.", "The {X2} will go on sale next month, {C} said.", "{C} says the {X2} is {N}% faster than its previous {X}.", "Reviewers who tried the {X2} praised its design."],
            ["{C} представила {X2}", "{C} показала новую модель {X2}", "Новинка {C}: {X2}"],
            ["Компания {C} представила новую модель {X2} на презентации во вторник.", "Продажи {X2} начнутся в следующем месяце, сообщили в {C}.", "По данным {C}, {X2} на {N}% быстрее предыдущей модели."]),
        new("quake",
            ["Magnitude {N}.{M} earthquake strikes {P}", "Strong quake of magnitude {N}.{M} hits {P}", "{P} shaken by {N}.{M}-magnitude earthquake", "Earthquake in {P}: tremor measured at {N}.{M}"],
            ["An earthquake of magnitude {N}.{M} struck {P} early on Sunday, seismologists said.", "Buildings shook across {P} after the {N}.{M} quake, witnesses said.", "Emergency services in {P} were assessing damage after the tremor.", "There was no immediate tsunami warning after the {N}.{M} quake."],
            ["Землетрясение магнитудой {N}.{M} произошло {Pl}", "{Pl} произошло сильное землетрясение магнитудой {N}.{M}", "Мощное землетрясение {Pl}: магнитуда {N}.{M}"],
            ["Землетрясение магнитудой {N}.{M} произошло {Pl} рано утром в воскресенье, сообщили сейсмологи.", "Спасатели {Pl} оценивают ущерб после подземных толчков.", "Угрозы цунами после землетрясения магнитудой {N}.{M} нет."]),
        new("deal",
            ["{C} agrees to buy {C2} for ${N} billion", "{C} to acquire {C2} in ${N}bn deal", "{C2} accepts ${N} billion takeover offer from {C}", "{C} strikes ${N} billion deal for {C2}"],
            ["{C} has agreed to acquire {C2} for about ${N} billion, the companies said.", "The deal values {C2} at a premium of {M}% to its last closing price.", "The takeover of {C2} by {C} still needs approval from regulators.", "{C} said buying {C2} would strengthen its position in the market."],
            ["{C} купит {C2} за ${N} млрд", "{C} договорилась о покупке {C2} за ${N} млрд", "Сделка на ${N} млрд: {C} поглотит {C2}"],
            ["Компания {C} согласилась купить {C2} примерно за ${N} млрд.", "Сделка оценивает {C2} с премией {M}% к последней цене закрытия.", "Поглощение {C2} компанией {C} еще должны одобрить регуляторы."]),
        new("fine",
            ["{C} fined €{N} million by regulators in {P}", "Regulators in {P} hit {C} with €{N}m penalty", "{P} watchdog fines {C} €{N} million", "{C} ordered to pay €{N} million fine in {P}"],
            ["The competition authority in {P} fined {C} €{N} million on Wednesday.", "Regulators in {P} said {C} had broken competition rules.", "{C} said it would appeal against the €{N} million fine.", "The penalty is one of the largest ever imposed in {P}."],
            ["{C} оштрафовали на {N} млн евро {Pl}", "Регулятор {Pg} оштрафовал {C} на {N} млн евро", "{C} заплатит штраф {N} млн евро {Pl}"],
            ["Антимонопольный регулятор {Pg} оштрафовал {C} на {N} млн евро.", "По данным регулятора, {C} нарушила правила конкуренции {Pl}.", "В {C} заявили, что обжалуют штраф в {N} млн евро."]),
        new("talks",
            ["{H} and {H2} hold talks in {P}", "{H} meets {H2} for talks in {P}", "{H}, {H2} discuss trade and security in {P}", "Talks in {P}: {H} sits down with {H2}"],
            ["{H} and {H2} met in {P} on Monday for talks on trade and security.", "After the meeting in {P}, {H} said the talks had been constructive.", "{H2} said the two sides agreed to meet again within {N} months.", "The talks in {P} lasted more than {M} hours, officials said."],
            ["{H} и {H2} провели переговоры {Pl}", "Встреча {Pl}: {H} и {H2} обсудили торговлю", "{H} и {H2} встретились {Pl}"],
            ["{H} и {H2} провели переговоры {Pl} в понедельник.", "По итогам встречи {Pl} стороны договорились продолжить диалог через {N} месяца.", "Переговоры {Pl} продолжались более {M} часов."]),
        new("strike",
            ["Workers at {C} in {P} walk out over pay", "{C} staff in {P} strike for {N}% raise", "Strike hits {C} plants in {P}", "{C} workers in {P} down tools in pay dispute"],
            ["Thousands of workers at {C} in {P} went on strike on Monday demanding a {N}% pay rise.", "The union said the strike at {C} plants in {P} would last {M} days.", "{C} said it regretted the walkout and remained open to talks.", "Production at {C} sites in {P} was halted by the strike."],
            ["Сотрудники {C} {Pl} объявили забастовку", "Забастовка на заводах {C} {Pl}", "Работники {C} {Pl} требуют повысить зарплату на {N}%"],
            ["Тысячи сотрудников {C} {Pl} начали забастовку, требуя повышения зарплаты на {N}%.", "Профсоюз заявил, что забастовка на заводах {C} {Pl} продлится {M} дней.", "Производство на предприятиях {C} {Pl} остановлено."]),
    ];

    public List<LabelledItem> Generate(int stories, DateTimeOffset start, TimeSpan span) => Generate(stories, start, span, int.MaxValue);

    // At most maxItems items (the last story may be cut short).
    public List<LabelledItem> Generate(int stories, DateTimeOffset start, TimeSpan span, int maxItems)
    {
        var drafts = new List<(DateTimeOffset At, string Text, int Story, string Language, bool Wire)>();
        for (var s = 0; s < stories && drafts.Count < maxItems; s++)
        {
            drafts.AddRange(Story(s, start + TimeSpan.FromMinutes(_random.NextDouble() * span.TotalMinutes)).Take(maxItems - drafts.Count));
        }
        // Files arrive roughly in publication order, as a feed delivers them.
        return drafts.OrderBy(d => d.At).Select((d, i) =>
            new LabelledItem($"{i:D7}_{Fingerprint(d.Text)}.txt", d.Text, d.Story, d.Language, d.Wire)).ToList();
    }

    // The same kind of event about the same subject within a week is, in the news, the same story
    // or its follow-up; the corpus keeps such stories a week apart so that its labels stay true.
    private readonly Dictionary<string, List<DateTimeOffset>> _subjects = [];

    private IEnumerable<(DateTimeOffset, string, int, string, bool)> Story(int story, DateTimeOffset at)
    {
        EventKind kind;
        Dictionary<string, string[]> slots;
        var attempts = 0;
        while (true)
        {
            kind = Events[_random.Next(Events.Length)];
            slots = Slots(kind);
            var subject = kind.Name + "/" + (kind.EnTitles[0].Contains("{C}") ? slots["{C}"][0] : kind.EnTitles[0].Contains("{H}") ? slots["{H}"][0] : slots["{P}"][0]);
            var times = !distinctSubjects ? [] : _subjects.TryGetValue(subject, out var list) ? list : _subjects[subject] = [];
            if (!distinctSubjects || times.All(t => (t - at).Duration() > TimeSpan.FromDays(7)) || ++attempts > 50)
            {
                times.Add(at);
                break;
            }
        }
        // 1-6 outlets: a third of the stories told once, the rest by 2-6.
        var size = _random.Next(3) == 0 ? 1 : _random.Next(2, 7);
        var languages = _random.Next(100) switch
        {
            < 60 => "en",
            < 85 => "ru",
            _ => "mixed",
        };
        var outlets = new List<((string Name, string Domain) Outlet, string Language)>();
        var en = EnglishOutlets.OrderBy(_ => _random.Next()).ToList();
        var ru = RussianOutlets.OrderBy(_ => _random.Next()).ToList();
        for (var i = 0; i < size; i++)
        {
            var language = languages == "mixed" ? (i % 2 == 0 ? "en" : "ru") : languages;
            var pool = language == "en" ? en : ru;
            outlets.Add((pool[0], language));
            pool.RemoveAt(0);
        }
        var titleOrder = new Dictionary<string, Queue<string>>
        {
            ["en"] = new(kind.EnTitles.OrderBy(_ => _random.Next())),
            ["ru"] = new(kind.RuTitles.OrderBy(_ => _random.Next())),
        };
        string? previousTitle = null, previousExcerpt = null;
        string? previousLanguage = null;
        var previousWire = false;
        for (var i = 0; i < outlets.Count; i++)
        {
            var (outlet, language) = outlets[i];
            var when = at + TimeSpan.FromMinutes(_random.Next(0, 30 * 60));
            string title, excerpt;
            var wire = previousTitle is not null && language == previousLanguage && !previousWire && _random.Next(5) == 0;
            if (wire)
            {
                // A wire story reused: same text, a prefix or a credit line changed.
                title = _random.Next(2) == 0 ? "UPDATE 1-" + previousTitle : previousTitle + " - report";
                excerpt = previousExcerpt + (language == "en" ? " (Reporting by staff)" : " (По материалам агентств)");
            }
            else
            {
                var titles = titleOrder[language];
                if (titles.Count == 0)
                {
                    foreach (var t in (language == "en" ? kind.EnTitles : kind.RuTitles).OrderBy(_ => _random.Next()))
                    {
                        titles.Enqueue(t);
                    }
                }
                title = Fill(titles.Dequeue(), slots, language);
                excerpt = Excerpt(kind, slots, language);
            }
            previousTitle = title;
            previousExcerpt = excerpt;
            previousLanguage = language;
            previousWire = wire;
            yield return (when, Render(outlet, title, excerpt, when), story, language, wire);
        }
    }

    private string Excerpt(EventKind kind, Dictionary<string, string[]> slots, string language)
    {
        var sentences = (language == "en" ? kind.EnSentences : kind.RuSentences).OrderBy(_ => _random.Next()).Take(_random.Next(2, 4)).ToList();
        var filler = language == "en" ? EnglishFiller : RussianFiller;
        for (var i = _random.Next(1, 3); i > 0; i--)
        {
            sentences.Insert(_random.Next(sentences.Count + 1), filler[_random.Next(filler.Length)]);
        }
        return Fill(string.Join(' ', sentences), slots, language);
    }

    // Each slot has its English and Russian form: [en, ru].
    private Dictionary<string, string[]> Slots(EventKind kind)
    {
        var place = Places[_random.Next(Places.Length)];
        var company = Companies[_random.Next(Companies.Length)];
        var other = Companies.Where(c => c != company).ElementAt(_random.Next(Companies.Length - 1));
        var person = People[_random.Next(People.Length)];
        var person2 = People.Where(p => p != person).ElementAt(_random.Next(People.Length - 1));
        var product = Products[_random.Next(Products.Length)];
        var n = kind.Name switch
        {
            "quake" => _random.Next(4, 8),
            "rate-rise" or "rate-cut" => _random.Next(2, 46),
            _ => _random.Next(2, 90),
        };
        var m = _random.Next(1, 10);
        var code = $"{(char)('A' + _random.Next(26))}{(char)('A' + _random.Next(26))}-{_random.Next(100, 999)}";
        return new()
        {
            ["{P}"] = [place.En, place.Ru], ["{Pg}"] = [place.En, place.RuGen], ["{Pl}"] = [place.En, place.RuLoc],
            ["{C}"] = [company, company], ["{C2}"] = [other, other], ["{H}"] = [person.En, person.Ru], ["{H2}"] = [person2.En, person2.Ru],
            ["{N}"] = [n.ToString(CultureInfo.InvariantCulture)], ["{M}"] = [m.ToString(CultureInfo.InvariantCulture)],
            ["{X}"] = [product, product], ["{X2}"] = [code, code],
        };
    }

    private static string Fill(string template, Dictionary<string, string[]> slots, string language)
    {
        var text = template;
        foreach (var (slot, forms) in slots.OrderByDescending(s => s.Key.Length))
        {
            text = text.Replace(slot, forms.Length == 1 || language == "en" ? forms[0] : forms[1], StringComparison.Ordinal);
        }
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    private string Render((string Name, string Domain) outlet, string title, string excerpt, DateTimeOffset when)
    {
        var slug = string.Join('-', StorySlug(title)) + "-" + _random.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        var url = $"https://{outlet.Domain}/{(_random.Next(2) == 0 ? "world" : "business")}/{when:yyyy/MM/dd}/{slug}";
        var yaml = new StringBuilder(5600);
        yaml.Append("---\ncategory: news\n");
        yaml.Append("title: ").Append(YamlText.Quote(title)).Append('\n');
        yaml.Append("excerpt: ").Append(YamlText.Quote(excerpt)).Append('\n');
        yaml.Append("publishedDateTime: ").Append(when.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append('\n');
        yaml.Append("originalUrl: ").Append(YamlText.Quote(url)).Append('\n');
        yaml.Append("webUrl: ").Append(YamlText.Quote(url)).Append('\n');
        _rest.AppendRest(yaml, outlet.Name, outlet.Domain);
        return yaml.ToString();
    }

    private static IEnumerable<string> StorySlug(string title) =>
        title.ToLowerInvariant().Split([' ', ',', ':', '%', '$', '€', '.', '\''], StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-')).Take(8).DefaultIfEmpty("story");

    private static string Fingerprint(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}
