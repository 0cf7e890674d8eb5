//! The hidden population: people with their true attributes, drawn with realistic shapes.

use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::rngs::StdRng;
use rand::{Rng, RngExt};

/// The date the data is "as of": ages are computed against it.
pub const REFERENCE_YEAR: i32 = 2026;

const FIRST_FEMALE: [&str; 24] = [
    "Mary",
    "Patricia",
    "Jennifer",
    "Linda",
    "Elizabeth",
    "Barbara",
    "Susan",
    "Jessica",
    "Sarah",
    "Karen",
    "Lisa",
    "Nancy",
    "Maria",
    "Ashley",
    "Emily",
    "Sofia",
    "Olivia",
    "Emma",
    "Ava",
    "Mia",
    "Aisha",
    "Mei",
    "Priya",
    "Fatima",
];
const FIRST_MALE: [&str; 24] = [
    "James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas",
    "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Jose", "Luis", "Liam", "Noah", "Ethan",
    "Wei", "Arjun", "Omar", "Kwame", "Hiroshi",
];
const LAST: [&str; 40] = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Nguyen",
    "Kim",
    "Patel",
    "Chen",
    "Okafor",
];
const EMAIL_DOMAINS: [(&str, u32); 5] = [
    ("gmail.com", 40),
    ("yahoo.com", 20),
    ("outlook.com", 15),
    ("icloud.com", 15),
    ("aol.com", 10),
];
/// The survey's sensitive answer and its shares (pregnancy only for women 18-45).
pub const HEALTH_INTERESTS: [(&str, u32); 7] = [
    ("none", 45),
    ("weight loss", 15),
    ("heart health", 12),
    ("diabetes", 10),
    ("mental health", 8),
    ("smoking cessation", 5),
    ("pregnancy", 5),
];

/// A geographic region: ZIP3 areas, each with a city, an area code and ZIP5s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Region {
    /// One town: one ZIP3, 12 ZIP5s.
    Small,
    /// One metro area: 3 ZIP3s, 120 ZIP5s.
    Metro,
    /// A national retailer: 200 ZIP3s, 3,000 ZIP5s.
    National,
}

/// A ZIP3 area.
#[derive(Debug, Clone)]
pub struct Area {
    pub zip3: String,
    pub city: String,
    pub area_code: u32,
}

/// The region's areas and ZIP5s, with Zipf-like ZIP5 populations.
pub struct Geography {
    pub areas: Vec<Area>,
    /// (ZIP5, index of its area).
    pub zips: Vec<(String, usize)>,
    zip_weights: WeightedIndex<f64>,
}

impl Geography {
    pub fn new(region: Region, rng: &mut StdRng) -> Geography {
        let (area_count, zips_per_area) = match region {
            Region::Small => (1, 12),
            Region::Metro => (3, 40),
            Region::National => (200, 15),
        };
        const CITIES: [&str; 8] = [
            "Springfield",
            "Riverton",
            "Lakeside",
            "Fairview",
            "Greenville",
            "Madison",
            "Franklin",
            "Clinton",
        ];
        let areas: Vec<Area> = (0..area_count)
            .map(|i| Area {
                zip3: format!("{:03}", 100 + i * 4),
                city: if area_count <= CITIES.len() {
                    CITIES[i].to_string()
                } else {
                    format!("{} {}", CITIES[i % CITIES.len()], i / CITIES.len() + 1)
                },
                area_code: 201 + i as u32 * 3,
            })
            .collect();
        let zips: Vec<(String, usize)> = areas
            .iter()
            .enumerate()
            .flat_map(|(a, area)| {
                (0..zips_per_area).map(move |z| (format!("{}{:02}", area.zip3, z * 2 + 1), a))
            })
            .collect();
        // Zipf-like populations (exponent 0.9) over a random order of the ZIP5s.
        let mut ranks: Vec<usize> = (1..=zips.len()).collect();
        rand::seq::SliceRandom::shuffle(ranks.as_mut_slice(), rng);
        let weights: Vec<f64> = ranks.iter().map(|&r| 1.0 / (r as f64).powf(0.9)).collect();
        Geography {
            areas,
            zips,
            zip_weights: WeightedIndex::new(weights).expect("positive weights"),
        }
    }

    pub fn draw_zip(&self, rng: &mut StdRng) -> usize {
        self.zip_weights.sample(rng)
    }
}

/// Gender as recorded: F, M, or X (other / not said).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    F,
    M,
    X,
}

impl Gender {
    pub fn code(self) -> &'static str {
        match self {
            Gender::F => "F",
            Gender::M => "M",
            Gender::X => "X",
        }
    }
}

/// One person and every true attribute.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: u32,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub gender: Gender,
    pub birth_year: i32,
    pub birth_month: u32,
    pub birth_day: u32,
    pub zip: usize,
    pub email: String,
    pub phone: String,
    pub income: u32,
    pub household_size: u32,
    pub health_interest: &'static str,
}

impl Person {
    pub fn birth_date(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}",
            self.birth_year, self.birth_month, self.birth_day
        )
    }

    /// Age on the reference date (1 July of [`REFERENCE_YEAR`]).
    pub fn age(&self) -> i32 {
        REFERENCE_YEAR - self.birth_year - i32::from(self.birth_month > 6)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Draws the population.
pub fn draw_people(n: usize, geo: &Geography, rng: &mut StdRng) -> Vec<Person> {
    // Adults 18-90: flat to 60, then thinning to a sixth by 90.
    let age_weights: Vec<f64> = (18..=90)
        .map(|a| {
            if a <= 60 {
                1.0
            } else {
                1.0 - 0.85 * (a - 60) as f64 / 30.0
            }
        })
        .collect();
    let ages = WeightedIndex::new(age_weights).expect("positive weights");
    let domains = WeightedIndex::new(EMAIL_DOMAINS.iter().map(|d| d.1)).expect("positive weights");
    let interests =
        WeightedIndex::new(HEALTH_INTERESTS.iter().map(|d| d.1)).expect("positive weights");
    let households = WeightedIndex::new([28u32, 34, 15, 13, 10]).expect("positive weights");
    (0..n)
        .map(|i| {
            let gender = match rng.random_range(0..1000) {
                0..495 => Gender::F,
                495..980 => Gender::M,
                _ => Gender::X,
            };
            let first_name = match gender {
                Gender::F => FIRST_FEMALE[rng.random_range(0..FIRST_FEMALE.len())],
                Gender::M => FIRST_MALE[rng.random_range(0..FIRST_MALE.len())],
                Gender::X => {
                    if rng.random_bool(0.5) {
                        FIRST_FEMALE[rng.random_range(0..FIRST_FEMALE.len())]
                    } else {
                        FIRST_MALE[rng.random_range(0..FIRST_MALE.len())]
                    }
                }
            };
            let last_name = LAST[rng.random_range(0..LAST.len())];
            let age = 18 + ages.sample(rng) as i32;
            let birth_month = rng.random_range(1..=12u32);
            let birth_year = REFERENCE_YEAR - age - i32::from(birth_month > 6);
            let birth_day = rng.random_range(1..=days_in_month(birth_year, birth_month));
            let zip = geo.draw_zip(rng);
            let area = &geo.areas[geo.zips[zip].1];
            let email = format!(
                "{}.{}{}@{}",
                first_name.to_lowercase(),
                last_name.to_lowercase(),
                i,
                EMAIL_DOMAINS[domains.sample(rng)].0
            );
            let phone = format!(
                "{}{:07}",
                area.area_code,
                rng.random_range(2_000_000..9_999_999u32)
            );
            // Log-normal household income, median about $62k.
            let income = (62_000.0 * (0.65 * normal(rng)).exp()).clamp(8_000.0, 900_000.0) as u32;
            let mut health_interest = HEALTH_INTERESTS[interests.sample(rng)].0;
            if health_interest == "pregnancy" && !(gender == Gender::F && (18..=45).contains(&age))
            {
                health_interest = "none";
            }
            Person {
                id: i as u32,
                first_name,
                last_name,
                gender,
                birth_year,
                birth_month,
                birth_day,
                zip,
                email,
                phone,
                income,
                household_size: 1 + households.sample(rng) as u32,
                health_interest,
            }
        })
        .collect()
}

/// Draws `true` with probability `p`.
pub fn chance(rng: &mut impl Rng, p: f64) -> bool {
    rng.random_bool(p)
}
