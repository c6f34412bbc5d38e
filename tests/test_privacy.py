from panhuo.privacy import MASK, public_records, sensitive_values


def test_public_records_hide_every_right_holder(catalog):
    for plan in catalog.plans():
        frame = public_records(plan.parcels)
        assert "right_holder" not in frame.columns
        secrets = sensitive_values(plan.parcels)
        shown = set(frame.astype(str).to_numpy().ravel())
        assert not (secrets & shown), plan.id


def test_shangdang_has_a_private_person_among_its_parcel_names(catalog):
    parcels = catalog.get("shangdang-2021").parcels
    private = parcels[parcels["right_holder"].str.strip() != ""]
    assert len(private) >= 1, "附表1 row 11 names a private person"
    masked = public_records(parcels)
    assert (masked.loc[private.index, "name"] == MASK).all()
    # other names stay as printed
    others = parcels.index.difference(private.index)
    assert (masked.loc[others, "name"] == parcels.loc[others, "name"]).all()
