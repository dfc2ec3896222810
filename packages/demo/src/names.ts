import type { Rng } from './prng.ts';

/**
 * Name and address pools for the demo patients of a Columbus, Ohio practice. Names are common US names of
 * several heritages; each heritage carries the languages its patients may prefer (BCP-47 codes).
 */
export interface NamePool {
  readonly key: string;
  readonly weight: number;
  readonly female: readonly string[];
  readonly male: readonly string[];
  readonly family: readonly string[];
  /** Preferred language other than English, and how likely it is. */
  readonly language?: { readonly code: string; readonly display: string; readonly probability: number };
}

export const NAME_POOLS: readonly NamePool[] = [
  {
    key: 'general',
    weight: 62,
    female: [
      'Emily', 'Sarah', 'Jessica', 'Ashley', 'Amanda', 'Jennifer', 'Megan', 'Rachel', 'Lauren', 'Hannah', 'Olivia', 'Emma',
      'Madison', 'Abigail', 'Elizabeth', 'Grace', 'Chloe', 'Natalie', 'Samantha', 'Katherine', 'Rebecca', 'Laura', 'Michelle',
      'Kimberly', 'Angela', 'Melissa', 'Stephanie', 'Nicole', 'Heather', 'Amy', 'Patricia', 'Linda', 'Barbara', 'Susan',
      'Karen', 'Nancy', 'Donna', 'Carol', 'Sharon', 'Deborah', 'Brenda', 'Pamela', 'Cynthia', 'Janet', 'Kathleen', 'Teresa',
      'Diane', 'Julie', 'Christina', 'Tiffany', 'Aaliyah', 'Imani', 'Jasmine', 'Destiny', 'Keisha', 'Ebony', 'Tamika',
      'Priya', 'Anjali', 'Aisha', 'Brianna', 'Kayla', 'Morgan', 'Taylor',
    ],
    male: [
      'James', 'John', 'Robert', 'Michael', 'William', 'David', 'Richard', 'Joseph', 'Thomas', 'Charles', 'Christopher',
      'Daniel', 'Matthew', 'Anthony', 'Mark', 'Donald', 'Steven', 'Paul', 'Andrew', 'Joshua', 'Kenneth', 'Kevin', 'Brian',
      'George', 'Timothy', 'Ronald', 'Edward', 'Jason', 'Jeffrey', 'Ryan', 'Jacob', 'Gary', 'Nicholas', 'Eric', 'Jonathan',
      'Stephen', 'Larry', 'Justin', 'Scott', 'Brandon', 'Benjamin', 'Samuel', 'Gregory', 'Alexander', 'Patrick', 'Frank',
      'Raymond', 'Jack', 'Dennis', 'Tyler', 'Aaron', 'Marcus', 'Darnell', 'DeShawn', 'Jamal', 'Terrence', 'Andre', 'Raj',
      'Omar', 'Caleb', 'Logan', 'Ethan',
    ],
    family: [
      'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore',
      'Martin', 'Jackson', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King',
      'Wright', 'Scott', 'Hill', 'Green', 'Adams', 'Baker', 'Nelson', 'Carter', 'Mitchell', 'Roberts', 'Turner', 'Phillips',
      'Campbell', 'Parker', 'Evans', 'Edwards', 'Collins', 'Stewart', 'Morris', 'Murphy', 'Cook', 'Rogers', 'Morgan',
      'Peterson', 'Cooper', 'Reed', 'Bailey', 'Bell', 'Kelly', 'Howard', 'Ward', 'Cox', 'Richardson', 'Wood', 'Watson',
      'Brooks', 'Bennett', 'Gray', 'Hughes', 'Price', 'Sanders', 'Myers', 'Long', 'Ross', 'Foster', 'Powell', 'Jenkins',
      'Perry', 'Russell', 'Sullivan', 'Fisher', 'Hayes', 'Patel', 'Shah', 'Kim', 'Park', "O'Brien", 'Kowalski', 'Novak',
      'Schmidt', 'Mueller', 'Washington', 'Jefferson', 'Okafor', 'Mensah', 'Kaur',
    ],
  },
  {
    key: 'hispanic',
    weight: 16,
    female: [
      'Maria', 'Guadalupe', 'Sofia', 'Isabella', 'Valentina', 'Camila', 'Lucia', 'Gabriela', 'Daniela', 'Ana', 'Carmen',
      'Rosa', 'Veronica', 'Alejandra', 'Adriana', 'Elena', 'Marisol', 'Yesenia',
    ],
    male: [
      'Jose', 'Juan', 'Luis', 'Carlos', 'Jorge', 'Miguel', 'Alejandro', 'Diego', 'Javier', 'Fernando', 'Ricardo', 'Eduardo',
      'Mateo', 'Santiago', 'Rafael', 'Hector', 'Raul', 'Francisco',
    ],
    family: [
      'Garcia', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Perez', 'Sanchez', 'Ramirez', 'Torres', 'Flores',
      'Rivera', 'Gomez', 'Diaz', 'Reyes', 'Morales', 'Cruz', 'Ortiz', 'Gutierrez', 'Chavez', 'Ramos', 'Vargas', 'Castillo',
      'Jimenez', 'Moreno', 'Romero', 'Herrera', 'Medina', 'Aguilar', 'Mendoza',
    ],
    language: { code: 'es', display: 'Spanish', probability: 0.5 },
  },
  {
    key: 'somali',
    weight: 8,
    female: ['Hodan', 'Amina', 'Fadumo', 'Halima', 'Sahra', 'Ayaan', 'Hawa', 'Nasra', 'Ifrah', 'Ubah', 'Khadija', 'Maryan'],
    male: ['Abdirahman', 'Mohamed', 'Abdullahi', 'Hassan', 'Liban', 'Guled', 'Mahad', 'Abdikarim', 'Yusuf', 'Omar', 'Ahmed', 'Bashir'],
    family: ['Ahmed', 'Mohamed', 'Abdi', 'Hassan', 'Ali', 'Farah', 'Osman', 'Warsame', 'Yusuf', 'Abdullahi', 'Jama', 'Egal', 'Nur'],
    language: { code: 'so', display: 'Somali', probability: 0.4 },
  },
  {
    key: 'vietnamese',
    weight: 5,
    female: ['Anh', 'Linh', 'Huong', 'Lan', 'Mai', 'Thao', 'Trang', 'Ngoc', 'Phuong', 'Hoa'],
    male: ['Minh', 'Thanh', 'Duc', 'Quang', 'Tuan', 'Hung', 'Khoa', 'Bao', 'Long', 'Vinh'],
    family: ['Nguyen', 'Tran', 'Le', 'Pham', 'Hoang', 'Vu', 'Dang', 'Bui', 'Do', 'Ngo'],
    language: { code: 'vi', display: 'Vietnamese', probability: 0.4 },
  },
  {
    key: 'chinese',
    weight: 5,
    female: ['Jing', 'Min', 'Hui', 'Xin', 'Yan', 'Mei', 'Ling', 'Fang', 'Xiaoling', 'Yu'],
    male: ['Wei', 'Lei', 'Jun', 'Hao', 'Jian', 'Ming', 'Tao', 'Qiang', 'Yong', 'Feng'],
    family: ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou'],
    language: { code: 'zh', display: 'Chinese', probability: 0.3 },
  },
  {
    key: 'arabic',
    weight: 4,
    female: ['Fatima', 'Layla', 'Noor', 'Yasmin', 'Mariam', 'Rania', 'Huda', 'Salma'],
    male: ['Ahmad', 'Khalid', 'Tariq', 'Samir', 'Yousef', 'Karim', 'Hamza', 'Bilal'],
    family: ['Haddad', 'Khoury', 'Nasser', 'Saleh', 'Mansour', 'Hamdan', 'Aziz', 'Darwish'],
    language: { code: 'ar', display: 'Arabic', probability: 0.3 },
  },
];

export interface CityZip {
  readonly city: string;
  readonly zips: readonly string[];
  readonly weight: number;
}

export const CITIES: readonly CityZip[] = [
  {
    city: 'Columbus',
    weight: 12,
    zips: ['43201', '43202', '43203', '43204', '43205', '43206', '43207', '43209', '43211', '43212', '43213', '43214', '43215', '43219', '43220', '43223', '43224', '43227', '43229', '43232'],
  },
  { city: 'Dublin', weight: 1, zips: ['43016', '43017'] },
  { city: 'Westerville', weight: 1, zips: ['43081', '43082'] },
  { city: 'Worthington', weight: 1, zips: ['43085'] },
  { city: 'Grove City', weight: 1, zips: ['43123'] },
  { city: 'Hilliard', weight: 1, zips: ['43026'] },
  { city: 'Reynoldsburg', weight: 1, zips: ['43068'] },
  { city: 'Gahanna', weight: 1, zips: ['43230'] },
  { city: 'Upper Arlington', weight: 1, zips: ['43221'] },
  { city: 'Whitehall', weight: 1, zips: ['43213'] },
  { city: 'Pickerington', weight: 1, zips: ['43147'] },
  { city: 'Canal Winchester', weight: 1, zips: ['43110'] },
  { city: 'Groveport', weight: 1, zips: ['43125'] },
];

export const STREETS: readonly string[] = [
  'Maple Avenue', 'Oak Street', 'Elm Street', 'Cedar Lane', 'Sycamore Drive', 'Walnut Street', 'Chestnut Court', 'Willow Way',
  'Birch Road', 'Hickory Lane', 'Magnolia Drive', 'Dogwood Court', 'Linden Avenue', 'Aspen Trail', 'Juniper Place',
  'Meadow Lane', 'Orchard Road', 'Brookside Drive', 'Hillcrest Avenue', 'Lakeview Drive', 'Ridgeway Road', 'Sunset Boulevard',
  'Fairview Avenue', 'Valley Road', 'Highland Avenue', 'Park Place', 'Church Street', 'Mill Street', 'Spring Street',
  'Garden Court', 'Prairie View Drive', 'Buckeye Lane', 'Scioto Bend Road', 'Olentangy Trail', 'Harvest Lane',
];

export interface PersonName {
  given: string[];
  family: string;
}

export function pickPool(rng: Rng): NamePool {
  return rng.weighted(NAME_POOLS.map((p) => [p, p.weight] as const));
}

export function pickName(rng: Rng, pool: NamePool, sex: 'female' | 'male'): PersonName {
  const firsts = sex === 'female' ? pool.female : pool.male;
  const given = [rng.pick(firsts)];
  if (rng.chance(0.35)) {
    const middle = rng.pick(firsts);
    if (middle !== given[0]) given.push(middle);
  }
  return { given, family: rng.pick(pool.family) };
}

export interface StreetAddress {
  line: string[];
  city: string;
  state: string;
  postalCode: string;
}

export function pickAddress(rng: Rng): StreetAddress {
  const place = rng.weighted(CITIES.map((c) => [c, c.weight] as const));
  const line = [`${rng.int(100, 9899)} ${rng.pick(STREETS)}`];
  if (rng.chance(0.2)) line.push(`Apt ${rng.int(1, 4)}${rng.pick(['A', 'B', 'C', 'D'])}`);
  return { line, city: place.city, state: 'OH', postalCode: rng.pick(place.zips) };
}

/** Phone numbers in the 555-0100..555-0199 block, which is reserved for fictional use. */
export function pickPhone(rng: Rng): string {
  return `(${rng.pick(['614', '380'])}) 555-01${String(rng.int(0, 99)).padStart(2, '0')}`;
}

/** An address at example.com, a domain reserved for documentation (RFC 2606). */
export function emailFor(name: PersonName, rng: Rng): string {
  const clean = (s: string): string => s.toLowerCase().replace(/[^a-z]/g, '');
  const first = clean(name.given[0]);
  const last = clean(name.family);
  const style = rng.int(0, 2);
  const local = style === 0 ? `${first}.${last}` : style === 1 ? `${first[0]}${last}${rng.int(1, 99)}` : `${first}${last}${rng.int(70, 99)}`;
  return `${local}@example.com`;
}
