"""Issue 29 item 10: campaign export paths stay readable for any product name and never collide
(two files on one path in a zip: one silently overwrites the other when extracted)."""

import uuid
from types import SimpleNamespace

from apps.campaigns.exports import export_path, product_file_names


def product(name):
    return SimpleNamespace(pk=uuid.uuid4(), name=name)


def paths(products, scenes=12):
    names = product_file_names(products)
    return [export_path(language="de", aspect_ratio="4:5", product_file_name=names[p.pk], scene_number=n, extension="png")
            for p in products for n in range(1, scenes + 1)]


def test_non_latin_names_stay_readable():
    shoe, boot, cap = product("靴"), product("Ботинок"), product("Schuh für Läufer")
    names = product_file_names([shoe, boot, cap])
    assert names == {shoe.pk: "靴", boot.pk: "ботинок", cap.pk: "schuh-für-läufer"}
    assert export_path(language="ja", aspect_ratio="4:5", product_file_name=names[shoe.pk], scene_number=2, extension="png") == "ja/4x5/靴-2.png"


def test_names_that_slugify_alike_get_distinct_paths():
    shoe, shouting_shoe, symbols, emoji = product("Shoe"), product("Shoe!"), product("!!!"), product("👟")
    names = product_file_names([shoe, shouting_shoe, symbols, emoji])
    assert len(set(names.values())) == 4
    assert names[shoe.pk] == "shoe" and names[shouting_shoe.pk] == "shoe-2"  # sorted by name: "Shoe" first
    assert {names[symbols.pk], names[emoji.pk]} == {"product", "product-2"}


def test_a_suffix_never_lands_on_another_products_own_name():
    products = [product("Shoe"), product("Shoe!"), product("Shoe 2"), product("Shoe 3"), product("shoe?")]
    names = product_file_names(products)
    assert len(set(names.values())) == len(products)
    assert names[products[2].pk] == "shoe-2" and names[products[3].pk] == "shoe-3"  # unique names are kept as they are
    all_paths = paths(products)
    assert len(all_paths) == len(set(all_paths))


def test_names_that_end_in_numbers_cannot_meet_another_scene_number():
    products = [product("Shoe 1"), product("Shoe"), product("Shoe 11")]
    all_paths = paths(products, scenes=12)
    assert len(all_paths) == len(set(all_paths))
