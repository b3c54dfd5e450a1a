# ruff: noqa: E501  (one passage a line reads best)
"""Context-grounded questions for sample_suites/answer_quality.jsonl: (context, question, expert answer).
Written by hand; the passages are short, original summaries of common knowledge."""

from __future__ import annotations

QUESTIONS: list[tuple[str, str, str]] = [
    (
        "The Eiffel Tower was completed in 1889. It was built as the entrance arch for the World's Fair in Paris. The company of engineer Gustave Eiffel designed and built it. At first many artists criticised its design.",
        "Which company designed the Eiffel Tower?",
        "The company of engineer Gustave Eiffel designed and built it.",
    ),
    (
        "Photosynthesis takes place mainly in the leaves of plants. Chlorophyll absorbs light, mostly blue and red. Plants use that energy to turn carbon dioxide and water into glucose and oxygen.",
        "What do plants turn carbon dioxide and water into?",
        "Glucose and oxygen.",
    ),
    (
        "SQLite stores a whole database in a single file. It runs inside the application process rather than as a separate server. Write-ahead logging lets readers continue while a writer commits.",
        "What does write-ahead logging let readers do?",
        "Readers can continue reading while a writer commits.",
    ),
    (
        "The Great Barrier Reef lies off the coast of Queensland, Australia. It is the largest coral reef system in the world. Rising sea temperatures cause coral bleaching, which has damaged large parts of the reef.",
        "Why has much of the reef been damaged?",
        "Rising sea temperatures cause coral bleaching, which damaged large parts of the reef.",
    ),
    (
        "Honey bees communicate with a waggle dance. The angle of the dance shows the direction of food relative to the sun. The length of the waggle run tells other bees how far away the food is.",
        "How do bees tell each other how far away food is?",
        "By the length of the waggle run in their dance.",
    ),
    (
        "The Python language was created by Guido van Rossum. Its first release came out in 1991. The name comes from the comedy group Monty Python, not from the snake.",
        "Where does the name Python come from?",
        "From the comedy group Monty Python, not the snake.",
    ),
    (
        "A leap year has 366 days instead of 365. The extra day is added to February. Years divisible by 100 are not leap years unless they are also divisible by 400.",
        "Which month gets the extra day in a leap year?",
        "February gets the extra day.",
    ),
    (
        "Mount Everest is 8,849 metres high. It sits on the border between Nepal and China. Climbers usually attempt the summit in May, when the winds are weaker.",
        "Why do climbers usually go in May?",
        "Because the winds are weaker in May.",
    ),
    (
        "The human heart has four chambers. The right side pumps blood to the lungs. The left side pumps oxygen-rich blood to the rest of the body.",
        "Where does the right side of the heart pump blood?",
        "To the lungs.",
    ),
    (
        "Git records changes as commits. Each commit points to its parent, forming a history. A branch is simply a movable pointer to one commit.",
        "What is a branch in Git?",
        "A movable pointer to a commit.",
    ),
    (
        "Venus is the hottest planet in the solar system. Its thick carbon dioxide atmosphere traps heat. Mercury is closer to the Sun but cannot hold on to heat the same way.",
        "Why is Venus hotter than Mercury?",
        "Its thick carbon dioxide atmosphere traps heat, which Mercury cannot do.",
    ),
    (
        "The Rosetta Stone was found in 1799 near the town of Rashid in Egypt. It carries the same decree in three scripts. Scholars used its Greek text to decipher Egyptian hieroglyphs.",
        "How did the Rosetta Stone help scholars?",
        "Its Greek text let scholars decipher Egyptian hieroglyphs.",
    ),
    (
        "Tides are caused mainly by the Moon's gravity. The Sun also has an effect, smaller because it is much farther away. When Sun and Moon line up, spring tides are higher than usual.",
        "What mainly causes tides?",
        "The Moon's gravity.",
    ),
    (
        "An HTTP 429 response means the client sent too many requests. Servers often add a Retry-After header. A polite client waits that long before trying again.",
        "What should a polite client do after a 429 with Retry-After?",
        "Wait as long as the Retry-After header says before trying again.",
    ),
    (
        "Marie Curie was born in Warsaw in 1867. She won the Nobel Prize in Physics in 1903 and in Chemistry in 1911. She was the first person to win Nobel Prizes in two sciences.",
        "What was Marie Curie the first person to do?",
        "To win Nobel Prizes in two different sciences.",
    ),
    (
        "The Amazon river carries more water than any other river. Its basin covers parts of nine countries. Most of the basin is covered by tropical rainforest.",
        "What covers most of the Amazon basin?",
        "Tropical rainforest.",
    ),
    (
        "Vaccines train the immune system without causing the disease. They contain weakened germs or parts of germs. The body makes antibodies and remembers how to fight the real infection later.",
        "How do vaccines prepare the body?",
        "The body makes antibodies and remembers how to fight the real infection.",
    ),
    (
        "A binary search works on a sorted list. It compares the target with the middle element and discards half of the list each step. It needs about log2(n) comparisons.",
        "Why is binary search fast?",
        "It discards half of the sorted list at each step, so it needs about log2(n) comparisons.",
    ),
    (
        "The Moon has no atmosphere to speak of. Without air there is no weather to erase footprints. The Apollo astronauts' footprints may last for millions of years.",
        "How long may the Apollo footprints last?",
        "Millions of years.",
    ),
    (
        "Coffee beans are the seeds of a cherry-like fruit. They are roasted to develop flavour. Lighter roasts keep more acidity, darker roasts taste more bitter.",
        "What taste do darker roasts have?",
        "Darker roasts taste more bitter.",
    ),
    (
        "The Great Wall of China was built over many centuries. Most of the wall standing today dates from the Ming dynasty. It is not visible to the naked eye from the Moon.",
        "Can you see the Great Wall from the Moon?",
        "No, it is not visible to the naked eye from the Moon.",
    ),
    (
        "Octopuses have three hearts. Two pump blood to the gills and one to the rest of the body. Their blood is blue because it uses copper-based hemocyanin.",
        "Why is octopus blood blue?",
        "Because it uses copper-based hemocyanin.",
    ),
    (
        "Unicode assigns a number, called a code point, to every character. UTF-8 encodes code points in one to four bytes. ASCII text is already valid UTF-8.",
        "How many bytes does UTF-8 use per code point?",
        "One to four bytes.",
    ),
    (
        "The Wright brothers made the first powered airplane flight in 1903. The flight at Kitty Hawk lasted 12 seconds. Orville Wright was the pilot.",
        "Who piloted the first powered flight?",
        "Orville Wright.",
    ),
    (
        "Compound interest is interest earned on earlier interest. Over long periods it grows money much faster than simple interest. Starting to save early matters more than the amount.",
        "Why does starting early matter when saving?",
        "Because compound interest earns interest on earlier interest, so time grows money faster.",
    ),
    (
        "Penguins live almost entirely in the Southern Hemisphere. Emperor penguins breed during the Antarctic winter. The male keeps the egg warm on his feet for about two months.",
        "Who keeps the emperor penguin egg warm?",
        "The male, on his feet, for about two months.",
    ),
    (
        "Lightning heats the air around it to about 30,000 degrees Celsius. The air expands so quickly that it makes a shock wave. We hear that shock wave as thunder.",
        "What is thunder?",
        "The sound of the shock wave made when lightning heats and expands the air.",
    ),
    (
        "Bamboo is a grass, not a tree. Some species grow almost a metre in a single day. It is used for building because it is strong and light.",
        "Why is bamboo used for building?",
        "Because it is strong and light.",
    ),
    (
        "The printing press with movable metal type was developed by Johannes Gutenberg around 1440. Books became cheaper and spread faster. This helped literacy rise across Europe.",
        "Who developed the printing press with movable metal type?",
        "Johannes Gutenberg, around 1440.",
    ),
    (
        "Saturn's rings are made mostly of ice, with some rock. They are hundreds of thousands of kilometres wide but usually less than a kilometre thick. Other giant planets have fainter rings.",
        "What are Saturn's rings made of?",
        "Mostly ice, with some rock.",
    ),
    (
        "Caching stores the result of an expensive operation so it can be reused. A cache key must capture everything that affects the result. A key that leaves something out returns stale or wrong answers.",
        "What must a cache key capture?",
        "Everything that affects the result.",
    ),
    (
        "Sleep helps the brain store memories. During deep sleep the brain replays what was learned during the day. People who sleep after studying usually remember more.",
        "What happens in the brain during deep sleep?",
        "The brain replays what was learned during the day.",
    ),
]
