"""Registers the tests' tables in a Spark Connect server (tests/spark_server.sh): UCI Adult as
`adult`, the demo's six sources as `crm.<name>` with some columns typed as a warehouse would
hold them, and its truth maps as `crm.truth_<name>`. Usage: spark_load.py URL REPOSITORY."""

import sys

from pyspark.sql import SparkSession

url, here = sys.argv[1], sys.argv[2]
spark = SparkSession.builder.remote(url).getOrCreate()

TABLES = {
    "adult": (
        f"{here}/../shared/data/adult/adult.csv",
        "sex string, age int, race string, `marital-status` string, education string, "
        "`native-country` string, workclass string, occupation string, `salary-class` string",
    ),
    "crm.loyalty": (
        f"{here}/fixtures/retail/loyalty.csv",
        "loyalty_id string, full_name string, email string, phone string, zip5 string, "
        "birth_date date, gender string, signup_store string",
    ),
    "crm.ecommerce": (
        f"{here}/fixtures/retail/ecommerce.csv",
        "account_id string, email string, phone string, zip5 string, birth_year int, "
        "gender string",
    ),
    "crm.web_analytics": (
        f"{here}/fixtures/retail/web_analytics.csv",
        "email_sha256 string, device string, browser string, city string, age_band string, "
        "categories_viewed string",
    ),
    "crm.transactions": (
        f"{here}/fixtures/retail/transactions.csv",
        "transaction_id string, loyalty_id string, card_token string, store string, "
        "`timestamp` timestamp, basket_value decimal(10,2), category string",
    ),
    "crm.survey": (
        f"{here}/fixtures/retail/survey.csv",
        "respondent_id string, zip3 string, birth_year int, gender string, income_band string, "
        "household_size int, health_interest string",
    ),
    "crm.partner": (
        f"{here}/fixtures/retail/partner.csv",
        "record_id string, email string, phone string, age int, zip5 string, "
        "estimated_income int",
    ),
}

# The demo's truth maps, as a plan run in Spark attaches them (`attach = { url, table, on }`).
for source, key in [
    ("loyalty", "loyalty_id"),
    ("ecommerce", "account_id"),
    ("survey", "respondent_id"),
    ("partner", "record_id"),
]:
    TABLES[f"crm.truth_{source}"] = (
        f"{here}/fixtures/retail/truth/{source}.csv",
        f"{key} string, person_id string",
    )

spark.sql("CREATE DATABASE IF NOT EXISTS crm")
for name, (path, schema) in TABLES.items():
    frame = (
        spark.read.option("header", True)
        .option("mode", "FAILFAST")
        .option("timestampFormat", "yyyy-MM-dd HH:mm:ss")
        .schema(schema)
        .csv(path)
    )
    frame.write.mode("overwrite").saveAsTable(name)
    print(name, spark.table(name).count())
