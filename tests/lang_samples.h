/*
 * tests/lang_samples.h - the language-identification test set: for each of
 * the 16 languages vigil must recognise, two news-like paragraphs written
 * for vigil's tests (weather and sport; benign, made up).  Each paragraph is
 * a "long" sample; each of its sentences a "short" one.
 */
#ifndef VIGIL_TESTS_LANG_SAMPLES_H
#define VIGIL_TESTS_LANG_SAMPLES_H

typedef struct lang_sample {
    const char *code; /* ISO 639-1 */
    const char *text;
} lang_sample;

static const lang_sample lang_samples[] = {
    {"en", "Heavy rain is expected across the northern region this weekend, and forecasters have "
           "warned drivers to take care on flooded roads. Temperatures will stay below average "
           "until Tuesday, when a band of high pressure should bring drier weather. Farmers said "
           "the rain came too late for the early harvest but would help the autumn crops."},
    {"en", "The local football club won its third match in a row on Saturday, beating the visitors "
           "by two goals to one in front of a full stadium. The coach praised the young players, "
           "who scored both goals in the second half. The team now sits in fourth place and will "
           "travel to the coast for its next game."},
    {"fr", "De fortes pluies sont attendues ce week-end dans le nord du pays, et les services "
           "météorologiques demandent aux automobilistes d'être prudents sur les routes inondées. "
           "Les températures resteront inférieures aux normales jusqu'à mardi, quand un anticyclone "
           "devrait ramener un temps plus sec. Les agriculteurs estiment que la pluie arrive trop "
           "tard pour la première récolte."},
    {"fr", "Le club de football de la ville a remporté samedi son troisième match consécutif, en "
           "battant ses adversaires deux buts à un devant un stade plein. L'entraîneur a salué les "
           "jeunes joueurs, qui ont marqué les deux buts en seconde période. L'équipe occupe "
           "désormais la quatrième place du classement."},
    {"de", "Am Wochenende wird im Norden des Landes starker Regen erwartet, und der Wetterdienst "
           "warnt Autofahrer vor überfluteten Straßen. Die Temperaturen bleiben bis Dienstag unter "
           "dem Durchschnitt, danach soll ein Hochdruckgebiet trockeneres Wetter bringen. Die "
           "Landwirte sagen, der Regen komme für die frühe Ernte zu spät."},
    {"de", "Der örtliche Fußballverein hat am Samstag sein drittes Spiel in Folge gewonnen und die "
           "Gäste vor ausverkauftem Stadion mit zwei zu eins besiegt. Der Trainer lobte die jungen "
           "Spieler, die beide Tore in der zweiten Halbzeit erzielten. Die Mannschaft steht nun "
           "auf dem vierten Tabellenplatz."},
    {"it", "Nel fine settimana sono attese forti piogge nel nord del paese e i meteorologi invitano "
           "gli automobilisti alla prudenza sulle strade allagate. Le temperature resteranno sotto "
           "la media fino a martedì, quando un anticiclone dovrebbe portare un tempo più asciutto. "
           "Gli agricoltori dicono che la pioggia è arrivata troppo tardi per il primo raccolto."},
    {"it", "La squadra di calcio della città ha vinto sabato la sua terza partita consecutiva, "
           "battendo gli ospiti per due a uno davanti a uno stadio pieno. L'allenatore ha lodato i "
           "giovani giocatori, che hanno segnato entrambi i gol nel secondo tempo. La squadra è ora "
           "al quarto posto in classifica."},
    {"es", "Se esperan fuertes lluvias en el norte del país durante el fin de semana, y los "
           "meteorólogos piden a los conductores que tengan cuidado en las carreteras inundadas. "
           "Las temperaturas seguirán por debajo de la media hasta el martes, cuando un anticiclón "
           "traerá un tiempo más seco. Los agricultores dicen que la lluvia ha llegado demasiado "
           "tarde para la primera cosecha."},
    {"es", "El equipo de fútbol de la ciudad ganó el sábado su tercer partido consecutivo al vencer "
           "a los visitantes por dos goles a uno ante un estadio lleno. El entrenador elogió a los "
           "jugadores jóvenes, que marcaron los dos goles en la segunda parte. El equipo ocupa "
           "ahora el cuarto puesto de la clasificación."},
    {"nl", "Dit weekend wordt in het noorden van het land zware regen verwacht, en de weerdienst "
           "waarschuwt automobilisten voor ondergelopen wegen. De temperaturen blijven tot dinsdag "
           "onder het gemiddelde, daarna zorgt een hogedrukgebied voor droger weer. De boeren "
           "zeggen dat de regen te laat komt voor de eerste oogst."},
    {"nl", "De plaatselijke voetbalclub heeft zaterdag haar derde wedstrijd op rij gewonnen door de "
           "bezoekers met twee tegen één te verslaan in een uitverkocht stadion. De trainer prees "
           "de jonge spelers, die beide doelpunten in de tweede helft maakten. Het team staat nu "
           "op de vierde plaats in de ranglijst."},
    {"id", "Hujan lebat diperkirakan akan turun di wilayah utara pada akhir pekan ini, dan badan "
           "meteorologi meminta para pengendara untuk berhati-hati di jalan yang tergenang banjir. "
           "Suhu udara akan tetap di bawah rata-rata hingga hari Selasa, ketika cuaca diperkirakan "
           "menjadi lebih kering. Para petani mengatakan hujan datang terlambat untuk panen "
           "pertama."},
    {"id", "Klub sepak bola kota itu memenangkan pertandingan ketiganya secara berturut-turut pada "
           "hari Sabtu dengan mengalahkan tim tamu dua gol berbanding satu di depan stadion yang "
           "penuh. Pelatih memuji para pemain muda yang mencetak kedua gol pada babak kedua. Tim "
           "tersebut kini berada di peringkat keempat klasemen."},
    {"ms", "Hujan lebat dijangka melanda kawasan utara semenanjung pada hujung minggu ini, dan "
           "Jabatan Meteorologi menasihatkan pemandu supaya berhati-hati di jalan raya yang dinaiki "
           "air. Suhu dijangka kekal di bawah paras biasa sehingga hari Selasa, apabila cuaca yang "
           "lebih kering akan kembali. Para petani berkata hujan itu datang terlalu lewat untuk "
           "musim menuai yang pertama."},
    {"ms", "Pasukan bola sepak negeri itu memenangi perlawanan ketiga berturut-turut pada hari "
           "Sabtu selepas menewaskan pasukan pelawat dua gol berbalas satu di hadapan stadium yang "
           "penuh. Jurulatih memuji pemain muda yang menjaringkan kedua-dua gol pada separuh masa "
           "kedua. Pasukan itu kini berada di tangga keempat dalam carta liga."},
    {"tr", "Hafta sonu ülkenin kuzeyinde şiddetli yağış bekleniyor ve meteoroloji uzmanları "
           "sürücüleri su basan yollarda dikkatli olmaları konusunda uyarıyor. Sıcaklıkların salı "
           "gününe kadar mevsim normallerinin altında kalması, ardından havanın daha kuru olması "
           "bekleniyor. Çiftçiler yağmurun ilk hasat için çok geç geldiğini söyledi."},
    {"tr", "Şehrin futbol takımı cumartesi günü dolu bir stadyum önünde konuk ekibi iki bir yenerek "
           "üst üste üçüncü galibiyetini aldı. Teknik direktör, ikinci yarıda iki golü de atan genç "
           "oyuncuları övdü. Takım şu anda ligde dördüncü sırada bulunuyor."},
    {"ru", "В выходные на севере страны ожидаются сильные дожди, и синоптики призывают водителей "
           "быть осторожными на затопленных дорогах. Температура останется ниже нормы до вторника, "
           "после чего антициклон принесёт более сухую погоду. Фермеры говорят, что дождь пришёл "
           "слишком поздно для первого урожая."},
    {"ru", "Городской футбольный клуб в субботу одержал третью победу подряд, обыграв гостей со "
           "счётом два один на заполненном стадионе. Тренер похвалил молодых игроков, которые "
           "забили оба мяча во втором тайме. Сейчас команда занимает четвёртое место в турнирной "
           "таблице."},
    {"ar", "من المتوقع أن تهطل أمطار غزيرة على المناطق الشمالية خلال عطلة نهاية الأسبوع، وقد حذرت "
           "هيئة الأرصاد الجوية السائقين من الطرق التي غمرتها المياه. وستبقى درجات الحرارة أقل من "
           "معدلاتها حتى يوم الثلاثاء، عندما يتوقع أن يصبح الطقس أكثر جفافا. وقال المزارعون إن "
           "الأمطار جاءت متأخرة على الحصاد الأول."},
    {"ar", "فاز نادي كرة القدم المحلي يوم السبت بمباراته الثالثة على التوالي بعد أن تغلب على الفريق "
           "الضيف بهدفين مقابل هدف واحد أمام ملعب ممتلئ بالجماهير. وأشاد المدرب باللاعبين الشباب "
           "الذين سجلوا الهدفين في الشوط الثاني. ويحتل الفريق الآن المركز الرابع في جدول الترتيب."},
    {"fa", "پیش‌بینی می‌شود در پایان هفته باران شدیدی در مناطق شمالی کشور ببارد و سازمان هواشناسی "
           "به رانندگان هشدار داده است که در جاده‌های آب‌گرفته احتیاط کنند. دمای هوا تا روز "
           "سه‌شنبه پایین‌تر از میانگین خواهد بود و پس از آن هوا خشک‌تر می‌شود. کشاورزان می‌گویند "
           "این باران برای برداشت اول خیلی دیر آمده است."},
    {"fa", "تیم فوتبال شهر روز شنبه با پیروزی دو بر یک مقابل تیم مهمان در ورزشگاهی پر از تماشاگر، "
           "سومین برد پیاپی خود را به دست آورد. مربی تیم از بازیکنان جوان که هر دو گل را در نیمه "
           "دوم به ثمر رساندند تعریف کرد. این تیم اکنون در رده چهارم جدول قرار دارد."},
    {"ur", "محکمہ موسمیات کے مطابق اس ہفتے کے آخر میں ملک کے شمالی علاقوں میں شدید بارش کا امکان "
           "ہے، اور ڈرائیوروں کو ہدایت کی گئی ہے کہ وہ پانی سے بھری سڑکوں پر احتیاط کریں۔ منگل تک "
           "درجہ حرارت معمول سے کم رہے گا، جس کے بعد موسم خشک ہونے کی توقع ہے۔ کسانوں کا کہنا ہے کہ "
           "بارش پہلی فصل کے لیے بہت دیر سے آئی ہے۔"},
    {"ur", "شہر کی فٹ بال ٹیم نے ہفتے کے روز بھرے ہوئے اسٹیڈیم میں مہمان ٹیم کو دو کے مقابلے میں ایک "
           "گول سے شکست دے کر مسلسل تیسری کامیابی حاصل کی۔ کوچ نے نوجوان کھلاڑیوں کی تعریف کی جنہوں "
           "نے دوسرے ہاف میں دونوں گول کیے۔ ٹیم اب پوائنٹس ٹیبل پر چوتھے نمبر پر ہے۔"},
    {"ps", "د هوا پېژندنې ادارې ویلي چې د اونۍ په پای کې به د هېواد په شمالي سیمو کې سخت باران "
           "وورېږي، او موټر چلوونکو ته یې خبرداری ورکړی چې په اوبو ډکو سړکونو کې احتیاط وکړي. د "
           "تودوخې درجه به تر سه شنبې پورې له معمول څخه ټیټه وي، وروسته به هوا وچه شي. بزګرانو "
           "ویلي چې دا باران د لومړي حاصل لپاره ډېر ناوخته راغلی دی."},
    {"ps", "د ښار د فوټبال ټیم د شنبې په ورځ د ډک لوبغالي په وړاندې میلمه ټیم ته د یوه په مقابل کې "
           "په دوو ګولونو ماتې ورکړه او په پرله پسې ډول یې درېیمه بریا ترلاسه کړه. روزونکي د هغو "
           "ځوانو لوبغاړو ستاینه وکړه چې په دویمه نیمایي کې یې دواړه ګولونه ووهل. دا ټیم اوس په "
           "جدول کې په څلورم ځای کې دی."},
    {"so", "Roobab culus ayaa la filayaa inay ka da'aan gobollada waqooyiga dalka dhammaadka "
           "toddobaadkan, waxaana hay'adda saadaasha hawadu ka digtay in darawaladu ay ka taxadaraan "
           "waddooyinka ay biyuhu fatahaadeen. Heerkulku wuxuu ahaan doonaa mid ka hooseeya "
           "celceliska ilaa maalinta Talaadada, kadibna cimiladu way qallalan doontaa. Beeralayda "
           "ayaa sheegay in roobku uu goor dambe u yimid goosashada koowaad."},
    {"so", "Kooxda kubadda cagta ee magaalada ayaa maalintii Sabtida guul saddexaad oo isku xigta "
           "gaartay, kadib markii ay laba gool iyo hal ku garaacday kooxda martida ah iyadoo "
           "garoonku buuxo. Tababaraha ayaa ammaanay ciyaartoyda da'da yar oo labada gool dhaliyay "
           "qeybtii labaad. Kooxdu hadda waxay ku jirtaa kaalinta afaraad ee horyaalka."},
    {"bn", "আবহাওয়া অফিস জানিয়েছে, এই সপ্তাহের শেষে দেশের উত্তরাঞ্চলে ভারী বৃষ্টি হতে পারে, এবং "
           "চালকদের জলমগ্ন রাস্তায় সাবধানে গাড়ি চালাতে বলা হয়েছে। মঙ্গলবার পর্যন্ত তাপমাত্রা "
           "স্বাভাবিকের চেয়ে কম থাকবে, তারপর আবহাওয়া শুকনো হবে বলে আশা করা হচ্ছে। কৃষকেরা বলছেন, "
           "প্রথম ফসলের জন্য এই বৃষ্টি অনেক দেরিতে এসেছে।"},
    {"bn", "শহরের ফুটবল দল শনিবার দর্শকে পূর্ণ স্টেডিয়ামে অতিথি দলকে দুই-এক গোলে হারিয়ে টানা "
           "তৃতীয় জয় পেয়েছে। কোচ তরুণ খেলোয়াড়দের প্রশংসা করেছেন, যারা দ্বিতীয়ার্ধে দুটি গোলই "
           "করেছেন। দলটি এখন লিগ তালিকায় চতুর্থ স্থানে রয়েছে।"},
};

#define LANG_SAMPLES_N (sizeof lang_samples / sizeof lang_samples[0])

#endif /* VIGIL_TESTS_LANG_SAMPLES_H */
