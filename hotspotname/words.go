package hotspotname

// The word lists: 256 each, lower-case ASCII letters only, no word in two
// lists (TestWordLists checks it). Never reorder or change a word: names
// are part of what users see and search for, and they must not move.

// adjectives is the first word: how the hotspot is.
var adjectives = [256]string{
	"able", "agile", "airy", "alert", "ample", "apt", "avid", "awake", "bold", "brave", "breezy", "bright",
	"brisk", "broad", "bubbly", "busy", "calm", "candid", "cheery", "chill", "civil", "clean", "clear",
	"clever", "cosmic", "cozy", "crisp", "curly", "cute", "daring", "dapper", "dear", "deep", "deft", "dizzy",
	"dreamy", "dry", "eager", "early", "easy", "epic", "equal", "exact", "fair", "famous", "fancy", "fast",
	"festive", "fine", "firm", "fit", "fleet", "fluffy", "fond", "free", "fresh", "frank", "frosty", "full",
	"funny", "gentle", "giant", "giddy", "glad", "glossy", "good", "grand", "great", "happy", "hardy", "hasty",
	"hearty", "heroic", "honest", "hopeful", "humble", "icy", "ideal", "jolly", "jovial", "joyful", "juicy",
	"keen", "kind", "large", "lasting", "lavish", "lean", "light", "lively", "lofty", "loud", "loyal", "lucid",
	"lucky", "lunar", "magic", "merry", "mighty", "mild", "misty", "modern", "modest", "neat", "nimble",
	"noble", "novel", "open", "polar", "polite", "proud", "prime", "quick", "quiet", "rapid", "rare", "ready",
	"regal", "rich", "robust", "round", "royal", "rugged", "rustic", "safe", "savvy", "serene", "sharp",
	"shiny", "shy", "silent", "simple", "sleek", "slim", "smart", "smooth", "snappy", "snug", "social", "solar",
	"solid", "sonic", "speedy", "spicy", "spry", "stable", "stark", "steady", "stout", "strong", "sturdy",
	"subtle", "sunny", "super", "sure", "tall", "tame", "tender", "tidy", "tiny", "tough", "tranquil", "true",
	"trusty", "upbeat", "urban", "vast", "vital", "vivid", "warm", "wavy", "wild", "wise", "witty", "young",
	"zany", "zesty", "active", "adept", "alive", "balmy", "blithe", "bouncy", "brainy", "chatty", "cheeky",
	"chirpy", "classic", "comfy", "cool", "crafty", "cuddly", "dashing", "devoted", "dewy", "driven", "earnest",
	"elegant", "fabled", "feisty", "fervent", "fiery", "flashy", "fluent", "frugal", "gallant", "genial",
	"gifted", "gleeful", "graceful", "gusty", "handy", "hefty", "helpful", "hushed", "jaunty", "jazzy", "jumbo",
	"kindly", "lanky", "lush", "mellow", "mindful", "nifty", "peppy", "perky", "placid", "plucky", "plush",
	"poised", "precise", "primal", "pure", "quaint", "radiant", "roomy", "sincere", "sleepy", "sparkly",
	"spirited", "sporty", "spunky", "stellar", "sublime", "suave", "tactful", "thrifty", "timely", "trim",
	"upright", "vibrant", "wary", "windy", "wiry", "zealous", "zippy",
}

// colours is the second word: a colour, a material or a look.
var colours = [256]string{
	"amber", "azure", "beige", "black", "blue", "bronze", "brown", "cedar", "charcoal", "cherry", "chrome",
	"cobalt", "copper", "coral", "cotton", "cream", "crimson", "cyan", "denim", "ebony", "emerald", "fawn",
	"flint", "gold", "granite", "green", "grey", "hazel", "indigo", "iron", "ivory", "jade", "khaki", "lemon",
	"lilac", "lime", "linen", "magenta", "maple", "marble", "maroon", "mauve", "mint", "navy", "nickel", "oak",
	"ochre", "olive", "onyx", "opal", "orange", "pearl", "pewter", "pine", "pink", "plum", "purple", "quartz",
	"red", "rose", "ruby", "rust", "saffron", "sage", "sapphire", "scarlet", "sepia", "silk", "silver", "slate",
	"steel", "stone", "teal", "tin", "topaz", "turquoise", "umber", "velvet", "violet", "walnut", "white",
	"wool", "yellow", "zinc", "adobe", "alabaster", "basalt", "birch", "brass", "brick", "canvas", "cashmere",
	"chalk", "clay", "coal", "cork", "crystal", "diamond", "felt", "glass", "graphite", "gravel", "hemp",
	"jasper", "jute", "lace", "lava", "leather", "mahogany", "mica", "obsidian", "paper", "pebble", "porcelain",
	"rattan", "resin", "rubber", "sand", "satin", "shale", "suede", "teak", "tweed", "velour", "wax", "willow",
	"apricot", "aqua", "ash", "auburn", "berry", "blush", "buff", "burgundy", "butter", "caramel", "carmine",
	"celadon", "cerise", "cinnabar", "cinnamon", "citron", "claret", "cocoa", "coffee", "dune", "flax",
	"fuchsia", "garnet", "ginger", "honey", "henna", "jet", "lavender", "lapis", "mango", "melon", "mocha",
	"moss", "mulberry", "mustard", "oat", "orchid", "papaya", "peach", "periwinkle", "pistachio", "pumpkin",
	"raisin", "raspberry", "russet", "sable", "sienna", "smoke", "snow", "sorrel", "spruce", "straw", "taupe",
	"tawny", "thistle", "tomato", "vanilla", "wheat", "wine", "bamboo", "pale", "dark", "bronzed", "golden",
	"silvery", "rosy", "ashen", "inky", "milky", "sooty", "smoky", "dappled", "spotted", "striped", "speckled",
	"frosted", "glazed", "gilded", "woven", "polished", "rusty", "mossy", "sandy", "stony", "woolly", "silken",
	"velvety", "leafy", "grassy", "sunlit", "starry", "moonlit", "cloudy", "foggy", "rainy", "snowy", "dusty",
	"muddy", "salty", "sugary", "minty", "peachy", "lemony", "honeyed", "ferny", "flowery", "pebbly", "briny",
	"tidal", "coastal", "alpine", "arctic", "desert", "forest", "meadow", "prairie", "river", "ocean", "island",
	"canyon", "harbor", "valley", "summit", "clover", "saddle", "timber", "cider", "ember", "marigold",
	"azalea",
}

// animals is the third word.
var animals = [256]string{
	"aardvark", "albatross", "alpaca", "ant", "antelope", "armadillo", "badger", "barracuda", "bat", "bear",
	"beaver", "bee", "beetle", "bison", "boar", "bobcat", "buffalo", "butterfly", "buzzard", "camel", "canary",
	"capybara", "caribou", "carp", "cat", "catfish", "chameleon", "cheetah", "chicken", "chinchilla",
	"chipmunk", "cicada", "clam", "cobra", "condor", "coyote", "crab", "crane", "cricket", "crow", "cuckoo",
	"deer", "dingo", "dolphin", "donkey", "dove", "dragonfly", "duck", "eagle", "eel", "egret", "elephant",
	"elk", "emu", "falcon", "ferret", "finch", "firefly", "flamingo", "fox", "frog", "gazelle", "gecko",
	"gerbil", "gibbon", "giraffe", "gnu", "goat", "goose", "gopher", "gorilla", "grouse", "gull", "hamster",
	"hare", "hawk", "hedgehog", "heron", "herring", "hippo", "hornet", "horse", "hound", "hyena", "ibex",
	"ibis", "iguana", "impala", "jackal", "jaguar", "jay", "jellyfish", "kangaroo", "kestrel", "kingfisher",
	"kiwi", "koala", "koi", "ladybug", "lark", "lemming", "lemur", "leopard", "lion", "lizard", "llama",
	"lobster", "locust", "loon", "lynx", "macaw", "magpie", "mallard", "manatee", "mandrill", "marlin",
	"marmot", "marten", "meerkat", "mink", "minnow", "mole", "mongoose", "monkey", "moose", "moth", "mouse",
	"muskrat", "narwhal", "newt", "nightingale", "ocelot", "octopus", "okapi", "opossum", "orca", "oriole",
	"oryx", "osprey", "ostrich", "otter", "owl", "ox", "oyster", "panda", "panther", "parrot", "partridge",
	"peacock", "pelican", "penguin", "perch", "pheasant", "pigeon", "pike", "platypus", "pony", "porcupine",
	"porpoise", "possum", "prawn", "puffin", "puma", "python", "quail", "rabbit", "raccoon", "ram", "raven",
	"reindeer", "rhino", "robin", "salamander", "sardine", "scorpion", "seahorse", "seal", "shark", "sheep",
	"shrew", "shrimp", "skink", "skunk", "sloth", "snail", "sparrow", "spider", "squid", "squirrel", "starling",
	"stingray", "stork", "swan", "tapir", "tarsier", "termite", "tern", "tiger", "toad", "tortoise", "toucan",
	"trout", "tuna", "turkey", "turtle", "viper", "vole", "vulture", "wallaby", "walrus", "warbler", "wasp",
	"weasel", "whale", "wolf", "wombat", "woodpecker", "wren", "yak", "zebra", "anchovy", "axolotl", "bobolink",
	"bongo", "bunting", "caracal", "cassowary", "chamois", "coati", "cormorant", "crayfish", "curlew",
	"dormouse", "dunlin", "eland", "ermine", "gannet", "goldfinch", "grebe", "guppy", "haddock", "halibut",
	"hyrax", "jerboa", "kinkajou", "kudu", "limpet", "loris", "mackerel", "manta", "mayfly", "merlin", "mussel",
	"nautilus", "numbat", "nuthatch",
}
