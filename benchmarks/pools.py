"""Name pools for the synthetic KB: enough variety that a million names are
mostly distinct, and the same traps real data has (Cyrillic and Hanzi
originals, competing transliterations, accents, initials, abbreviations).

Russian and Chinese pools are kept in their own scripts; the Latin forms are
derived by transliteration, so the KB holds both, as a real one would.
"""

from __future__ import annotations


def _split(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


RU_MALE = _split(
    "Николай Сергей Александр Дмитрий Андрей Алексей Владимир Михаил Иван Евгений Юрий Олег "
    "Виктор Игорь Павел Роман Максим Артём Константин Борис Геннадий Анатолий Валерий Вячеслав "
    "Григорий Леонид Пётр Фёдор Степан Тимофей Илья Кирилл Денис Антон Василий Георгий Аркадий "
    "Эдуард Руслан Ярослав Станислав Вадим Семён Матвей Никита Глеб Лев Марк Егор Даниил Захар "
    "Всеволод Филипп Тарас Ростислав Платон Нестор Святослав Афанасий Валентин Герман"
)
RU_FEMALE = _split(
    "Анна Мария Елена Ольга Наталья Татьяна Ирина Светлана Екатерина Юлия Валентина Людмила "
    "Галина Надежда Вера Любовь Ксения Дарья Алина Полина Виктория Марина Оксана Жанна Лариса "
    "Нина Зоя Раиса Алла Инна Софья Вероника Евгения Лидия Элеонора Кира Ульяна Таисия"
)
# Patronymics are derived from the male names (Николай -> Николаевич / Николаевна).
RU_SURNAMES = _split(
    "Патрушев Бортников Шойгу Лавров Иванов Смирнов Кузнецов Попов Васильев Петров Соколов "
    "Михайлов Новиков Фёдоров Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов "
    "Степанов Николаев Орлов Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев "
    "Григорьев Романов Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев "
    "Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов "
    "Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев "
    "Титов Марков Миронов Крылов Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов "
    "Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов "
    "Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов Родионов Коновалов Лазарев Воронин "
    "Климов Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников "
    "Трофимов Леонов Соболев Ермаков Колесников Гончаров Емельянов Никифоров Грачёв Котов "
    "Гришин Ефремов Архипов Громов Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев "
    "Бирюков Горбунов Анисимов Ерёмин Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов "
    "Нестеров Симонов Прокофьев Харитонов Князев Цветков Левин Митрофанов Воронов Аксёнов "
    "Софронов Мальцев Логинов Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков Сафонов "
    "Плотников Дёмин Хохлов Фадеев Молчанов Игнатов Литвинов Ершов Ушаков Дементьев Рябов "
    "Мухин Калашников Леонтьев Лобанов Кузин Корнилов Евдокимов Бородин Платонов Некрасов "
    "Балашов Бобров Жданов Блинов Игнатьев Коротков Муравьёв Крюков Беляков Богомолов Дроздов "
    "Лавриненко Шевченко Бондаренко Коваленко Кравченко Ткаченко Нарышкин Золотов Чемезов "
    "Сечин Володин Матвиенко Собянин Набиуллина Греф Костин Миллер Дворкович Рогозин"
)

ZH_SURNAMES = (
    "陈王李张刘杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
ZH_GIVEN = (
    "文清明华国建平志伟军强磊洋勇杰涛斌超波辉刚健峰亮俊飞鹏宇浩然凯旭东晨立新海兵光德宏庆春林永松忠家兴学成毅"
    "近红丽敏静燕玲芳娟霞秀英桂兰云凤琴梅雪晓小金岩振荣长安福喜春秋山川江河湖雷電玉珍宝书琳瑞祥"
)

WEST_FIRST = _split(
    "James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel "
    "Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy "
    "Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin "
    "Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry "
    "Tyler Aaron Jose Adam Nathan Henry Douglas Zachary Peter Kyle Ethan Walter Noah Jeremy "
    "Christian Keith Roger Terry Gerald Harold Sean Austin Carl Arthur Lawrence Dylan Jesse "
    "Jordan Bryan Billy Joe Bruce Gabriel Logan Albert Willie Alan Juan Wayne Elijah Randy Roy "
    "Vincent Ralph Eugene Russell Bobby Mason Philip Louis Mary Patricia Jennifer Linda "
    "Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Margaret Sandra Ashley "
    "Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah Stephanie Rebecca Sharon "
    "Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha "
    "Katherine Christine Debra Rachel Carolyn Janet Catherine Maria Heather Diane Ruth Julie "
    "Olivia Joyce Virginia Victoria Kelly Lauren Christina Joan Evelyn Judith Megan Andrea "
    "Cheryl Hannah Jacqueline Martha Gloria Teresa Ann Sara Madison Frances Kathryn Janice "
    "Jean Abigail Alice Judy Sophia Grace Denise Amber Doris Marilyn Danielle Beverly Isabella "
    "Theresa Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori"
)
WEST_SURNAMES = _split(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook "
    "Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward "
    "Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez "
    "Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan "
    "Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson "
    "Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera "
    "Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison "
    "Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker "
    "Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason "
    "Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox "
    "Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan "
    "Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos "
    "Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews "
    "Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis "
    "Carpenter Lawrence Sandoval Guerrero George Chapman Rios Estrada Ortega Watkins Greene "
    "Nunez Wheeler Valdez Harper Burke Larson Santiago Maldonado Morrison Franklin Carlson "
    "Austin Dominguez Carr Lawson Jacobs Obrien Lynch Singh Vega Bishop Montgomery Oliver Jensen "
    "Harvey Williamson Gilbert Dean Sims Espinoza Howell Li Wong Reid Hanson Le McCoy Garrett "
    "Burton Fuller Wang Weber Welch Rojas Lucas Marquez Fields Park Yang Little Banks Padilla "
    "Day Walsh Bowman Schultz Luna Fowler Mejia Davidson Acosta Brewer May Holland Juarez "
    "Newman Pearson Curtis Cortez Douglas Schneider Joseph Barrett Navarro Figueroa Keller Avila "
    "Wade Molina Stanley Hopkins Campos Barnett Bates Chambers Caldwell Beck Lambert Miranda "
    "Byrd Craig Ayala Lowe Frazier Powers Neal Leonard Gregory Carrillo Sutton Fleming Rhodes "
    "Shelton Schwartz Norris Jennings Watts Duran Walters Cohen McDaniel Moran Parks Steele "
    "Vaughn Becker Holt Deleon Barker Terry Hale Leon Hail Benson Haynes Horton Miles Lyons "
    "Pham Graves Bush Thornton Wolfe Warner Cabrera McKinney Mann Zimmerman Dawson Lara Fletcher "
    "Page McCarthy Love Robles Cervantes Solis Erickson Reeves Chang Klein Salinas Fuentes "
    "Baldwin Daniel Simon Velasquez Hardy Higgins Aguirre Lin Cummings Chandler Sharp Barber "
    "Bowen Ochoa Dennis Robbins Liu Ramsey Francis Griffith Paul Blair Oconnor Cardenas Pacheco "
    "Cross Calderon Quinn Moss Swanson Chan Rivas Khan Rodgers Serrano Fitzgerald Rosales "
    "Stevenson Christensen Manning Gill Curry McLaughlin Harmon McGee Gross Doyle Garner Newton "
    "Burgess Reese Walton Blake Trujillo Adkins Brady Goodman Roman Webster Goodwin Fischer "
    "Huang Potter Delacruz Montoya Todd Wu Hines Mullins Castaneda Malone Cannon Tate Mack "
    "Sherman Hubbard Hodges Zhang Guerra Wolf Valencia Saunders Franco Rowe Gallagher Farmer "
    "Hammond Hampton Townsend Ingram Wise Gallegos Clarke Barton Schroeder Maxwell Waters "
    "Logan Camacho Strickland Norman Person Colon Parsons Frank Harrington Glover Osborne "
    "Buchanan Casey Floyd Patton Ibarra Ball Tyler Suarez Bowers Orozco Salas Cobb Gibbs "
    "Andrade Bauer Conner Moody Escobar McGuire Lloyd Mueller Hartman French Kramer McBride "
    "Pope Lindsey Velazquez Norton McCormick Sparks Flynn Yates Hogan Marsh Macias Villanueva "
    "Zamora Pratt Stokes Owen Ballard Lang Brock Villarreal Charles Drake Barrera Cain Patrick "
    "Pineda Burnett Mercado Santana Shepherd Bautista Ali Shaffer Lamb Trevino McKenzie Hess "
    "Beil Olsen Cochran Morton Nash Wilkins Petersen Briggs Shah Roth Nicholson Holloway Lozano"
)

ACCENTED_FIRST = _split(
    "José María Jürgen Zoë Renée Søren Björn Łukasz François Hélène Ángel Inés "
    "Sébastien Jérôme Mónica Nuño Ólafur Þór Dóra Çağlar Gülşen Tomáš Jiří"
)
ACCENTED_SURNAMES = _split(
    "Fernández López Müller Østergaard Wałęsa Lefèvre Gómez Núñez Schäfer Ödegaard "
    "Dvořák Kovačević Jónsson Öztürk Çelik Šimić Höglund Sánchez-Pérez Dupré Bäcker "
    "García-Márquez Ibáñez Nørgaard Łaszewski Ruíz Françoise"
)

AR_FIRST = _split(
    "Mohammed Ahmed Ali Omar Khalid Hassan Hussein Abdullah Youssef Ibrahim Mahmoud Mustafa "
    "Tariq Faisal Saeed Nasser Hamad Sultan Rashid Salman Zayed Majid Karim Walid Bashar "
    "Fahd Turki Bandar Nawaf Abdulaziz Abdulrahman Jamal Samir Adel Ziad Hamza"
)
AR_FAMILY = _split(
    "Al Saud|Al Nahyan|Al Thani|Al Sabah|Al Khalifa|Al Maktoum|Al Qasimi|Al Hashimi|"
    "Al Assad|Al Masri|Al Tikriti|Al Rashid|Al Zahrani|Al Ghamdi|Al Otaibi|Al Harbi|"
    "Al Shehri|Al Qahtani|Al Dosari|Al Mutairi|Al Anazi|Al Shammari|Al Balushi|"
    "Al Hakim|Al Sadr|Al Jaafari|Al Maliki|Al Abadi|Al Kadhimi|Al Sudani",
    "|",
)
# Competing romanisations of the same Arabic name.
AR_VARIANTS = {
    "Mohammed": "Muhammad",
    "Ahmed": "Ahmad",
    "Youssef": "Yusuf",
    "Hussein": "Husayn",
    "Mahmoud": "Mahmud",
    "Mustafa": "Mostafa",
    "Saeed": "Said",
    "Khalid": "Khaled",
    "Abdulaziz": "Abd al-Aziz",
    "Abdulrahman": "Abd al-Rahman",
    "Faisal": "Faysal",
}

# Russian transliteration other than anyascii's (BGN-ish vs. "popular"), for aliases.
RU_ALT_TRANSLIT = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}

REGIONS = _split(
    "Moscow|Saint Petersburg|Novosibirsk|Yekaterinburg|Kazan|Nizhny Novgorod|Chelyabinsk|"
    "Samara|Omsk|Rostov|Ufa|Krasnoyarsk|Voronezh|Perm|Volgograd|Krasnodar|Saratov|Tyumen|"
    "Tatarstan|Bashkortostan|Chechnya|Dagestan|Primorye|Khabarovsk|Irkutsk|Kaliningrad|"
    "Murmansk|Arkhangelsk|Yakutia|Buryatia|Tuva|Altai|Kamchatka|Sakhalin|Chukotka|"
    "Beijing|Shanghai|Guangdong|Sichuan|Zhejiang|Jiangsu|Shandong|Henan|Hubei|Hunan|"
    "Fujian|Yunnan|Guizhou|Shaanxi|Shanxi|Hebei|Liaoning|Jilin|Heilongjiang|Xinjiang|"
    "Tibet|Inner Mongolia|Guangxi|Hainan|Ningxia|Qinghai|Gansu|Anhui|Jiangxi|Chongqing|"
    "Tianjin|Shenzhen|Wuhan|Chengdu|Xian|Harbin|Dalian|Qingdao|Hangzhou|Nanjing|Kunming|"
    "Minsk|Astana|Almaty|Tashkent|Bishkek|Dushanbe|Baku|Yerevan|Tbilisi|Kyiv|Odesa|"
    "Kharkiv|Lviv|Chisinau|Riga|Vilnius|Tallinn|Warsaw|Prague|Budapest|Belgrade|Sofia|"
    "Bucharest|Ankara|Istanbul|Tehran|Baghdad|Damascus|Riyadh|Doha|Dubai|Abu Dhabi|Cairo|"
    "Delhi|Mumbai|Karachi|Islamabad|Kabul|Hanoi|Pyongyang|Seoul|Tokyo|Ulaanbaatar|"
    "Havana|Caracas|Managua|Brasilia|Pretoria|Addis Ababa|Khartoum|Tripoli|Algiers|"
    "Bavaria|Saxony|Lombardy|Catalonia|Flanders|Wales|Scotland|Ontario|Quebec|Texas|"
    "California|Virginia|Maryland|Geneva|Vienna|Brussels|Paris|London|Berlin|Rome|Madrid",
    "|",
)

MINISTRY_KINDS = _split(
    "Ministry|State Committee|Federal Agency|Federal Service|Directorate|Department|"
    "Bureau|Commission|Inspectorate|Office|Administration|Council",
    "|",
)
DOMAINS = _split(
    "Internal Affairs|Foreign Affairs|Defence|State Security|Public Security|Justice|Finance|"
    "Economic Development|Energy|Industry and Trade|Transport|Communications|Education|"
    "Health|Emergency Situations|Natural Resources|Agriculture|Culture|Sport|Labour|"
    "Digital Development|Construction|Science|Youth Affairs|Nationalities|Customs|"
    "Taxation|Statistics|Antimonopoly Policy|Financial Monitoring|Border Protection|"
    "Civil Aviation|Maritime Affairs|Railways|Fisheries|Forestry|Water Resources|"
    "Veterinary Control|Nuclear Safety|Space Research|Military Cooperation|"
    "Export Control|Propaganda|United Front Work|Political and Legal Affairs|Discipline "
    "Inspection|Cyberspace Affairs|Ethnic Affairs|Religious Affairs|Veterans Affairs",
    "|",
)
INDUSTRIES = _split(
    "Energy|Oil|Gas|Petroleum|Mining|Metals|Steel|Aluminium|Chemicals|Fertilisers|"
    "Machinery|Shipbuilding|Aerospace|Aviation|Defence Systems|Electronics|Telecom|"
    "Software|Media|Broadcasting|Publishing|Logistics|Shipping|Rail|Construction|"
    "Engineering|Real Estate|Development|Capital|Investment|Bank|Insurance|Finance|"
    "Trading|Import Export|Agro|Grain|Foods|Pharma|Biotech|Medical|Security|"
    "Technologies|Robotics|Nuclear|Power|Water|Textiles|Automotive|Tobacco",
    "|",
)
COMPANY_SUFFIXES = _split(
    "Holdings|Group|Corporation|LLC|JSC|PJSC|Ltd|Company|Co Ltd|Industries|"
    "International|Partners|Trust|Consortium|Enterprises|Foundation",
    "|",
)
INSTITUTIONS = _split(
    "State University|Institute of Technology|Polytechnic University|Academy of Sciences|"
    "Military Academy|Police Academy|Medical University|City Council|Regional Duma|"
    "Provincial Committee|Municipal Committee|People's Congress|Court|Prosecutor's Office|"
    "Chamber of Commerce|Investigative Committee|Border Service|Customs Office|"
    "Election Commission|Public Chamber|Bar Association|Journalists' Union|"
    "Writers' Union|Trade Union Federation|Football Club|Philharmonic|Museum|"
    "Central Hospital|Research Centre|Think Tank|Press Agency|Television",
    "|",
)

HUBS = [
    (
        "federal-security-service",
        "Federal Security Service",
        [
            ("FSB", "abbreviation"),
            ("F.S.B.", "abbreviation"),
            ("ФСБ", "transliteration"),
            ("Federal Security Service of the Russian Federation", "alias"),
        ],
    ),
    (
        "peoples-liberation-army",
        "People's Liberation Army",
        [("PLA", "abbreviation"), ("中国人民解放军", "transliteration")],
    ),
    (
        "ministry-of-defence-of-russia",
        "Ministry of Defence of the Russian Federation",
        [("Russian Ministry of Defence", "alias"), ("Минобороны", "short-form"), ("MoD", "abbreviation")],
    ),
    (
        "ministry-of-state-security",
        "Ministry of State Security",
        [("MSS", "abbreviation"), ("国家安全部", "transliteration"), ("Guoanbu", "transliteration")],
    ),
    (
        "united-nations-secretariat",
        "United Nations Secretariat",
        [("UN Secretariat", "short-form"), ("U.N. Secretariat", "alias")],
    ),
]

TITLES = _split(
    "Director|Deputy Director|First Deputy Director|Head of Department|Deputy Head of "
    "Department|Chairman|Deputy Chairman|Secretary|Deputy Secretary|Minister|Deputy Minister|"
    "Chief Executive|Chief Financial Officer|Board Member|Senior Officer|Spokesperson|"
    "Ambassador|General|Lieutenant General|Colonel|Adviser|Senior Adviser|Governor|Professor|"
    "Rector|Editor-in-Chief|Prosecutor|Judge|Party Secretary|Commissioner|Inspector|"
    "Analyst|Press Secretary|Chief of Staff|Founder|Shareholder|Auditor",
    "|",
)

OUTLETS = _split(
    "Reuters|Associated Press|Agence France-Presse|TASS|RIA Novosti|Interfax|Xinhua|"
    "Global Times|South China Morning Post|The Moscow Times|Meduza|Kommersant|Vedomosti|"
    "Novaya Gazeta|Caixin|BBC News|The Guardian|The New York Times|The Washington Post|"
    "Financial Times|Bloomberg|The Economist|Le Monde|Der Spiegel|Al Jazeera|RT|"
    "Washington Examiner|National Review|Politico|Nikkei Asia",
    "|",
)
AGGREGATORS = _split("THE AMERICA ONE NEWS|NewsNow|Yahoo News|MSN|Google News|Flipboard", "|")
