/// The schema of the UCI Census-Income (KDD) files, in the two-task setup of the MMoE paper: income above
/// 50K and marital status "Never married"; marital status and the instance weight are left out of the
/// features, heavy-tailed amounts get `log1p`.
let censusIncomeSchemaYAML = """
name: census-income
format: {delimiter: ",", header: false, missing: ["?", ""], trimWhitespace: true}
columns: [age, class_of_worker, detailed_industry_recode, detailed_occupation_recode, education,
  wage_per_hour, enroll_in_edu_inst_last_wk, marital_stat, major_industry_code, major_occupation_code,
  race, hispanic_origin, sex, member_of_a_labor_union, reason_for_unemployment,
  full_or_part_time_employment_stat, capital_gains, capital_losses, dividends_from_stocks, tax_filer_stat,
  region_of_previous_residence, state_of_previous_residence, detailed_household_and_family_stat,
  detailed_household_summary_in_household, instance_weight, migration_code_change_in_msa,
  migration_code_change_in_reg, migration_code_move_within_reg, live_in_this_house_1_year_ago,
  migration_prev_res_in_sunbelt, num_persons_worked_for_employer, family_members_under_18,
  country_of_birth_father, country_of_birth_mother, country_of_birth_self, citizenship,
  own_business_or_self_employed, fill_inc_questionnaire_for_veterans_admin, veterans_benefits,
  weeks_worked_in_year, year, income]
features:
  - {name: age, kind: numeric, transform: standardize}
  - {name: wage_per_hour, kind: numeric, transform: log1p}
  - {name: capital_gains, kind: numeric, transform: log1p}
  - {name: capital_losses, kind: numeric, transform: log1p}
  - {name: dividends_from_stocks, kind: numeric, transform: log1p}
  - {name: num_persons_worked_for_employer, kind: numeric, transform: standardize}
  - {name: weeks_worked_in_year, kind: numeric, transform: min-max}
  - {name: class_of_worker, kind: categorical}
  - {name: detailed_industry_recode, kind: categorical}
  - {name: detailed_occupation_recode, kind: categorical}
  - {name: education, kind: categorical}
  - {name: enroll_in_edu_inst_last_wk, kind: categorical}
  - {name: major_industry_code, kind: categorical}
  - {name: major_occupation_code, kind: categorical}
  - {name: race, kind: categorical}
  - {name: hispanic_origin, kind: categorical}
  - {name: sex, kind: categorical}
  - {name: member_of_a_labor_union, kind: categorical}
  - {name: reason_for_unemployment, kind: categorical}
  - {name: full_or_part_time_employment_stat, kind: categorical}
  - {name: tax_filer_stat, kind: categorical}
  - {name: region_of_previous_residence, kind: categorical}
  - {name: state_of_previous_residence, kind: categorical}
  - {name: detailed_household_and_family_stat, kind: categorical}
  - {name: detailed_household_summary_in_household, kind: categorical}
  - {name: migration_code_change_in_msa, kind: categorical}
  - {name: migration_code_change_in_reg, kind: categorical}
  - {name: migration_code_move_within_reg, kind: categorical}
  - {name: live_in_this_house_1_year_ago, kind: categorical}
  - {name: migration_prev_res_in_sunbelt, kind: categorical}
  - {name: family_members_under_18, kind: categorical}
  - {name: country_of_birth_father, kind: categorical}
  - {name: country_of_birth_mother, kind: categorical}
  - {name: country_of_birth_self, kind: categorical}
  - {name: citizenship, kind: categorical}
  - {name: own_business_or_self_employed, kind: categorical}
  - {name: fill_inc_questionnaire_for_veterans_admin, kind: categorical}
  - {name: veterans_benefits, kind: categorical}
  - {name: year, kind: categorical}
labels:
  - {name: income_over_50k, kind: binary, column: income, positive: ["50000+."]}
  - {name: never_married, kind: binary, column: marital_stat, positive: ["Never married"]}
"""
