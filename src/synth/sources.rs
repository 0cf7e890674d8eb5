//! The sources a retailer holds, each a partial and imperfect view of the population.
//! The shares below are documented in fixtures/retail/README.md and checked by tests.

use polars::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, distr::Distribution, distr::weighted::WeightedIndex};

use super::population::{Geography, Person, chance};
use crate::normalize::{EmailRules, HashAlgorithm, normalize_email};

/// Share of the population in the loyalty programme.
pub const LOYALTY_SHARE: f64 = 0.70;
/// Share of loyalty members with an online account, and of the others.
pub const ECOMMERCE_SHARE_MEMBERS: f64 = 0.45;
pub const ECOMMERCE_SHARE_OTHERS: f64 = 0.35;
/// Share of online account holders seen (logged in) by web analytics, and of loyalty
/// members without an account (who log in with their loyalty email).
pub const WEB_SHARE_ACCOUNTS: f64 = 0.80;
pub const WEB_SHARE_MEMBERS: f64 = 0.15;
/// Share of the population answering the survey.
pub const SURVEY_SHARE: f64 = 0.25;
/// Share of the population on the data broker's list.
pub const PARTNER_SHARE: f64 = 0.40;
/// Missing-value rates.
pub const LOYALTY_EMAIL_MISSING: f64 = 0.03;
pub const LOYALTY_PHONE_MISSING: f64 = 0.05;
pub const LOYALTY_GENDER_MISSING: f64 = 0.01;
pub const ECOMMERCE_BIRTH_YEAR_MISSING: f64 = 0.05;
pub const SURVEY_INCOME_MISSING: f64 = 0.04;
/// Share of e-commerce emails with a typo (these cannot be matched).
pub const ECOMMERCE_EMAIL_TYPO: f64 = 0.03;

/// Product categories of line items; the sensitive ones reveal health, family or habits.
pub const CATEGORIES: [(&str, u32); 9] = [
    ("grocery", 40),
    ("produce", 15),
    ("household", 10),
    ("beauty", 7),
    ("pharmacy", 8),
    ("baby", 5),
    ("alcohol", 7),
    ("tobacco", 3),
    ("pet", 5),
];

/// One generated source: its frame and, for the truth folder, (record key, person id).
pub struct Source {
    pub name: &'static str,
    pub frame: DataFrame,
    pub key_column: &'static str,
    pub truth: Vec<(String, u32)>,
}

fn frame(columns: Vec<Column>) -> DataFrame {
    DataFrame::new_infer_height(columns).expect("columns of equal length")
}

fn phone_parts(phone: &str) -> (&str, &str, &str) {
    (&phone[..3], &phone[3..6], &phone[6..])
}

/// Members of a source in a random order, so that row order says nothing about people.
fn members<'a>(people: &'a [Person], flags: &[bool], rng: &mut StdRng) -> Vec<&'a Person> {
    let mut chosen: Vec<&Person> = people
        .iter()
        .zip(flags)
        .filter(|(_, f)| **f)
        .map(|(p, _)| p)
        .collect();
    chosen.shuffle(rng);
    chosen
}

/// Who is in which source.
pub struct Membership {
    pub loyalty: Vec<bool>,
    pub ecommerce: Vec<bool>,
    pub web: Vec<bool>,
    pub survey: Vec<bool>,
    pub partner: Vec<bool>,
    /// Loyalty id of each member (index = person id).
    pub loyalty_id: Vec<Option<String>>,
    /// Whether the member's loyalty email is on file.
    pub loyalty_email: Vec<bool>,
}

pub fn draw_membership(people: &[Person], rng: &mut StdRng) -> Membership {
    let n = people.len();
    let loyalty: Vec<bool> = (0..n).map(|_| chance(rng, LOYALTY_SHARE)).collect();
    let ecommerce: Vec<bool> = loyalty
        .iter()
        .map(|&l| {
            chance(
                rng,
                if l {
                    ECOMMERCE_SHARE_MEMBERS
                } else {
                    ECOMMERCE_SHARE_OTHERS
                },
            )
        })
        .collect();
    let loyalty_email: Vec<bool> = loyalty
        .iter()
        .map(|&l| l && !chance(rng, LOYALTY_EMAIL_MISSING))
        .collect();
    let web: Vec<bool> = (0..n)
        .map(|i| {
            if ecommerce[i] {
                chance(rng, WEB_SHARE_ACCOUNTS)
            } else {
                loyalty_email[i] && chance(rng, WEB_SHARE_MEMBERS)
            }
        })
        .collect();
    let survey = (0..n).map(|_| chance(rng, SURVEY_SHARE)).collect();
    let partner = (0..n).map(|_| chance(rng, PARTNER_SHARE)).collect();
    // Loyalty ids are issued in a random order, not by person.
    let mut numbers: Vec<u32> = (0..n as u32).collect();
    numbers.shuffle(rng);
    let loyalty_id = (0..n)
        .map(|i| loyalty[i].then(|| format!("L{:08}", 10_000_000 + numbers[i])))
        .collect();
    Membership {
        loyalty,
        ecommerce,
        web,
        survey,
        partner,
        loyalty_id,
        loyalty_email,
    }
}

pub fn loyalty(people: &[Person], m: &Membership, geo: &Geography, rng: &mut StdRng) -> Source {
    let rows = members(people, &m.loyalty, rng);
    let mut truth = Vec::with_capacity(rows.len());
    let (mut id, mut name, mut email, mut phone, mut zip, mut dob, mut gender, mut store) = (
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
    );
    for p in rows {
        let loyalty_id = m.loyalty_id[p.id as usize].clone().expect("member");
        truth.push((loyalty_id.clone(), p.id));
        id.push(loyalty_id);
        name.push(format!("{} {}", p.first_name, p.last_name));
        email.push(m.loyalty_email[p.id as usize].then(|| p.email.clone()));
        let (a, b, c) = phone_parts(&p.phone);
        phone.push((!chance(rng, LOYALTY_PHONE_MISSING)).then(|| format!("({a}) {b}-{c}")));
        zip.push(geo.zips[p.zip].0.clone());
        dob.push(p.birth_date());
        gender.push((!chance(rng, LOYALTY_GENDER_MISSING)).then(|| p.gender.code()));
        let area = geo.zips[p.zip].1;
        store.push(format!("S{:03}", area * 4 + rng.random_range(1..=4usize)));
    }
    Source {
        name: "loyalty",
        key_column: "loyalty_id",
        truth,
        frame: frame(vec![
            Column::new("loyalty_id".into(), id),
            Column::new("full_name".into(), name),
            Column::new("email".into(), email),
            Column::new("phone".into(), phone),
            Column::new("zip5".into(), zip),
            Column::new("birth_date".into(), dob),
            Column::new("gender".into(), gender),
            Column::new("signup_store".into(), store),
        ]),
    }
}

/// The email as typed into the web shop: other capitalisation, stray whitespace, a +tag,
/// gmail dots dropped, or a typo.
fn typed_email(email: &str, rng: &mut StdRng) -> String {
    let (local, domain) = email.split_once('@').expect("generated emails have @");
    match rng.random_range(0..100) {
        0..15 => {
            let mut chars: Vec<char> = local.chars().collect();
            chars[0] = chars[0].to_ascii_uppercase();
            format!(
                "{}@{}",
                chars.into_iter().collect::<String>(),
                domain.to_uppercase()
            )
        }
        15..23 => format!(" {email} "),
        23..33 => format!("{local}+shop@{domain}"),
        33..38 if domain == "gmail.com" => format!("{}@{domain}", local.replace('.', "")),
        _ if chance(rng, ECOMMERCE_EMAIL_TYPO) => {
            let mut chars: Vec<char> = local.chars().collect();
            chars.swap(0, 1);
            format!("{}@{domain}", chars.into_iter().collect::<String>())
        }
        _ => email.to_string(),
    }
}

pub fn ecommerce(people: &[Person], m: &Membership, geo: &Geography, rng: &mut StdRng) -> Source {
    let rows = members(people, &m.ecommerce, rng);
    let mut truth = Vec::with_capacity(rows.len());
    let (mut id, mut email, mut phone, mut zip, mut year, mut gender) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for (i, p) in rows.into_iter().enumerate() {
        let account = format!("A{:07}", 1_000_000 + i);
        truth.push((account.clone(), p.id));
        id.push(account);
        email.push(typed_email(&p.email, rng));
        let (a, b, c) = phone_parts(&p.phone);
        phone.push(if chance(rng, 0.6) {
            format!("+1 {a}-{b}-{c}")
        } else {
            format!("{a}.{b}.{c}")
        });
        zip.push(geo.zips[p.zip].0.clone());
        year.push((!chance(rng, ECOMMERCE_BIRTH_YEAR_MISSING)).then_some(p.birth_year as i64));
        gender.push((!chance(rng, 0.03)).then(|| p.gender.code()));
    }
    Source {
        name: "ecommerce",
        key_column: "account_id",
        truth,
        frame: frame(vec![
            Column::new("account_id".into(), id),
            Column::new("email".into(), email),
            Column::new("phone".into(), phone),
            Column::new("zip5".into(), zip),
            Column::new("birth_year".into(), year),
            Column::new("gender".into(), gender),
        ]),
    }
}

/// Age band of an age, as web analytics and ad platforms report it.
pub fn age_band(age: i32) -> &'static str {
    match age {
        ..=24 => "18-24",
        25..=34 => "25-34",
        35..=44 => "35-44",
        45..=54 => "45-54",
        55..=64 => "55-64",
        _ => "65+",
    }
}

pub fn web_analytics(
    people: &[Person],
    m: &Membership,
    geo: &Geography,
    rng: &mut StdRng,
) -> Source {
    let rows = members(people, &m.web, rng);
    let mut truth = Vec::with_capacity(rows.len());
    let (mut hash, mut device, mut browser, mut city, mut band, mut viewed) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let categories = WeightedIndex::new(CATEGORIES.iter().map(|c| c.1)).expect("positive weights");
    for p in rows {
        // Ad-tech "hashed email" matching: unsalted SHA-256 of the trimmed, lowercased email.
        let h = HashAlgorithm::Sha256.hex(&normalize_email(&p.email, EmailRules::default()));
        truth.push((h.clone(), p.id));
        hash.push(h);
        device.push(["mobile", "mobile", "desktop", "tablet"][rng.random_range(0..4)]);
        browser.push(["Chrome", "Safari", "Edge", "Firefox"][rng.random_range(0..4)]);
        city.push(geo.areas[geo.zips[p.zip].1].city.clone());
        band.push(age_band(p.age()));
        let mut seen: Vec<&str> = (0..rng.random_range(1..=3))
            .map(|_| CATEGORIES[categories.sample(rng)].0)
            .collect();
        seen.sort_unstable();
        seen.dedup();
        viewed.push(seen.join("|"));
    }
    Source {
        name: "web_analytics",
        key_column: "email_sha256",
        truth,
        frame: frame(vec![
            Column::new("email_sha256".into(), hash),
            Column::new("device".into(), device),
            Column::new("browser".into(), browser),
            Column::new("city".into(), city),
            Column::new("age_band".into(), band),
            Column::new("categories_viewed".into(), viewed),
        ]),
    }
}

pub fn transactions(
    people: &[Person],
    m: &Membership,
    geo: &Geography,
    rng: &mut StdRng,
) -> Source {
    let categories = WeightedIndex::new(CATEGORIES.iter().map(|c| c.1)).expect("positive weights");
    // (person, loyalty id or None for a card payment)
    let mut baskets: Vec<(&Person, bool)> = Vec::new();
    for p in people {
        let member = m.loyalty[p.id as usize];
        let count = if member {
            rng.random_range(1..=7)
        } else if chance(rng, 0.3) {
            rng.random_range(1..=3)
        } else {
            0
        };
        baskets.extend((0..count).map(|_| (p, member)));
    }
    baskets.shuffle(rng);
    let mut truth = Vec::with_capacity(baskets.len());
    let (mut id, mut loyalty, mut card, mut store, mut ts, mut value, mut category) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for (i, (p, member)) in baskets.into_iter().enumerate() {
        let tid = format!("T{:09}", 100_000_000 + i);
        truth.push((tid.clone(), p.id));
        id.push(tid);
        loyalty.push(if member {
            m.loyalty_id[p.id as usize].clone()
        } else {
            None
        });
        // A card token is stable per person: a keyed digest a payment processor would issue.
        card.push(
            (!member)
                .then(|| HashAlgorithm::Md5.hex(&format!("card-token-{}", p.id))[..16].to_string()),
        );
        let online = m.ecommerce[p.id as usize] && chance(rng, 0.3);
        let area = geo.zips[p.zip].1;
        store.push(if online {
            "online".to_string()
        } else {
            format!("S{:03}", area * 4 + rng.random_range(1..=4usize))
        });
        let day = rng.random_range(0..365u32);
        let (month, dom) = month_day(day);
        ts.push(format!(
            "2026-{month:02}-{dom:02} {:02}:{:02}:{:02}",
            rng.random_range(7..23),
            rng.random_range(0..60),
            rng.random_range(0..60)
        ));
        value.push((rng.random_range(300..25_000u32) as f64) / 100.0);
        category.push(CATEGORIES[categories.sample(rng)].0);
    }
    Source {
        name: "transactions",
        key_column: "transaction_id",
        truth,
        frame: frame(vec![
            Column::new("transaction_id".into(), id),
            Column::new("loyalty_id".into(), loyalty),
            Column::new("card_token".into(), card),
            Column::new("store".into(), store),
            Column::new("timestamp".into(), ts),
            Column::new("basket_value".into(), value),
            Column::new("category".into(), category),
        ]),
    }
}

fn month_day(day_of_year: u32) -> (u32, u32) {
    const LENGTHS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut d = day_of_year;
    for (i, &len) in LENGTHS.iter().enumerate() {
        if d < len {
            return (i as u32 + 1, d + 1);
        }
        d -= len;
    }
    (12, 31)
}

/// Income band as surveys ask it.
pub fn income_band(income: u32) -> &'static str {
    match income {
        ..25_000 => "<25K",
        25_000..50_000 => "25-49K",
        50_000..75_000 => "50-74K",
        75_000..100_000 => "75-99K",
        100_000..150_000 => "100-149K",
        _ => "150K+",
    }
}

pub fn survey(people: &[Person], m: &Membership, geo: &Geography, rng: &mut StdRng) -> Source {
    let rows = members(people, &m.survey, rng);
    let mut truth = Vec::with_capacity(rows.len());
    let (mut id, mut zip3, mut year, mut gender, mut income, mut household, mut interest) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for (i, p) in rows.into_iter().enumerate() {
        let rid = format!("R{:06}", 100_000 + i);
        truth.push((rid.clone(), p.id));
        id.push(rid);
        zip3.push(geo.areas[geo.zips[p.zip].1].zip3.clone());
        year.push(p.birth_year as i64);
        gender.push(p.gender.code());
        income.push((!chance(rng, SURVEY_INCOME_MISSING)).then(|| income_band(p.income)));
        household.push(p.household_size as i64);
        interest.push(p.health_interest);
    }
    Source {
        name: "survey",
        key_column: "respondent_id",
        truth,
        frame: frame(vec![
            Column::new("respondent_id".into(), id),
            Column::new("zip3".into(), zip3),
            Column::new("birth_year".into(), year),
            Column::new("gender".into(), gender),
            Column::new("income_band".into(), income),
            Column::new("household_size".into(), household),
            Column::new("health_interest".into(), interest),
        ]),
    }
}

pub fn partner(people: &[Person], m: &Membership, geo: &Geography, rng: &mut StdRng) -> Source {
    let rows = members(people, &m.partner, rng);
    let mut truth = Vec::with_capacity(rows.len());
    let (mut id, mut email, mut phone, mut age, mut zip, mut income) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for (i, p) in rows.into_iter().enumerate() {
        let rid = format!("B{:07}", 1_000_000 + i);
        truth.push((rid.clone(), p.id));
        id.push(rid);
        let contact = rng.random_range(0..10);
        email.push((contact < 7).then(|| p.email.clone()));
        let (a, b, c) = phone_parts(&p.phone);
        phone.push((contact >= 5).then(|| {
            if chance(rng, 0.5) {
                format!("{a}{b}{c}")
            } else {
                format!("1-{a}-{b}-{c}")
            }
        }));
        // Brokers' ages are sometimes a year off, and some addresses are stale.
        age.push(p.age() as i64 + if chance(rng, 0.1) { 1 } else { 0 });
        let z = if chance(rng, 0.05) {
            geo.draw_zip(rng)
        } else {
            p.zip
        };
        zip.push(geo.zips[z].0.clone());
        let noisy = p.income as f64 * rng.random_range(0.85..1.15);
        income.push(((noisy / 5000.0).round() * 5000.0) as i64);
    }
    Source {
        name: "partner",
        key_column: "record_id",
        truth,
        frame: frame(vec![
            Column::new("record_id".into(), id),
            Column::new("email".into(), email),
            Column::new("phone".into(), phone),
            Column::new("age".into(), age),
            Column::new("zip5".into(), zip),
            Column::new("estimated_income".into(), income),
        ]),
    }
}

/// The truth table of the people themselves.
pub fn people_frame(people: &[Person], geo: &Geography) -> DataFrame {
    frame(vec![
        Column::new(
            "person_id".into(),
            people.iter().map(|p| p.id as i64).collect::<Vec<_>>(),
        ),
        Column::new(
            "first_name".into(),
            people.iter().map(|p| p.first_name).collect::<Vec<_>>(),
        ),
        Column::new(
            "last_name".into(),
            people.iter().map(|p| p.last_name).collect::<Vec<_>>(),
        ),
        Column::new(
            "gender".into(),
            people.iter().map(|p| p.gender.code()).collect::<Vec<_>>(),
        ),
        Column::new(
            "birth_date".into(),
            people.iter().map(Person::birth_date).collect::<Vec<_>>(),
        ),
        Column::new(
            "zip5".into(),
            people
                .iter()
                .map(|p| geo.zips[p.zip].0.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "email".into(),
            people.iter().map(|p| p.email.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "phone".into(),
            people.iter().map(|p| p.phone.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "income".into(),
            people.iter().map(|p| p.income as i64).collect::<Vec<_>>(),
        ),
        Column::new(
            "household_size".into(),
            people
                .iter()
                .map(|p| p.household_size as i64)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "health_interest".into(),
            people.iter().map(|p| p.health_interest).collect::<Vec<_>>(),
        ),
    ])
}
