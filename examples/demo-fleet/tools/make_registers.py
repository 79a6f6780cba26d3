"""Write the demo fleet's two supplier registers with cvrule's own writer
(`cvrule.ingest.register.write_register`, docs/supplier-register.md):

- ownership/registers/cascadia-tier2-register.xlsx: what Cascadia's purchasing team collected
  from its Tier-2 suppliers (the Chinese contract manufacturer, the chip makers, the sensor
  and access suppliers) and the update service behind the LT-5 TCU's OTA agent;
- ownership/registers/corvina-supplier-register.csv: the register the Pike's infotainment
  supplier (Corvina, Torino) returned with its SBOMs.

Everything in them is fictional. Run from anywhere:

    .venv/bin/python examples/demo-fleet/tools/make_registers.py [OUT_DIR]

The CSV comes out byte for byte the same every time; the XLSX holds the same cells every time
(its zip container records the time it was written).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from cvrule.ingest.register import write_register

FOLDER = Path(__file__).resolve().parents[1] / "ownership" / "registers"
XLSX = "cascadia-tier2-register.xlsx"
CSV = "corvina-supplier-register.csv"

TIER2 = {
    "parties": [
        {"id": "qianyue", "name": "Dongguan Qianyue Precision Electronics Co., Ltd.", "kind": "organization", "country": "CN",
         "headquarters": "CN", "uscc": "91441900MA4WJR8D2Y", "website": "https://www.qianyue-precision.example",
         "email": "export@qianyue-precision.example"},
        {"id": "liang-jun", "name": "LIANG Jun", "kind": "individual", "country": "CN"},
        {"id": "lanchip", "name": "Suzhou Lanchip Microelectronics Co., Ltd.", "kind": "organization", "country": "CN",
         "headquarters": "CN", "uscc": "91320594MA1PLX6K7B", "website": "https://www.lanchip-micro.example"},
        {"id": "northgate", "name": "Northgate Access Systems, Inc.", "kind": "organization", "country": "US",
         "headquarters": "US", "website": "https://www.northgate-access.example", "email": "compliance@northgate-access.example"},
        {"id": "northgate-holdings", "name": "Northgate Holdings LLC", "kind": "organization", "country": "US", "headquarters": "US"},
        {"id": "alpenrad", "name": "Alpenrad Sensorik GmbH", "kind": "organization", "country": "AT", "headquarters": "AT",
         "website": "https://www.alpenrad.example"},
        {"id": "formosa", "name": "Formosa Millimeter-Wave Technology Co., Ltd.", "kind": "organization", "country": "TW",
         "headquarters": "TW", "website": "https://www.formosa-mmwave.example"},
        {"id": "kitakaze", "name": "Kitakaze Electronics Co., Ltd.", "kind": "organization", "country": "JP", "headquarters": "JP",
         "website": "https://www.kitakaze-electronics.example"},
        {"id": "nordlys", "name": "Nordlys Vision AB", "kind": "organization", "country": "SE", "headquarters": "SE",
         "website": "https://www.nordlys-vision.example"},
        {"id": "tamarack", "name": "Tamarack Electronics Manufacturing, Inc.", "kind": "organization", "country": "US",
         "headquarters": "US", "website": "https://www.tamarack-ems.example"},
        {"id": "arcturus", "name": "Arcturus Semiconductor Corp.", "kind": "organization", "country": "US", "headquarters": "US",
         "lei": "CVRL00ARCTURUSSEMI33", "website": "https://www.arcturus-semi.example"},
        {"id": "cartolux", "name": "Cartolux Maps Inc.", "kind": "organization", "country": "US", "headquarters": "US",
         "website": "https://www.cartolux-maps.example"},
        {"id": "koto", "name": "Koto Voice K.K.", "kind": "organization", "country": "JP", "headquarters": "JP",
         "website": "https://www.koto-voice.example"},
        {"id": "nimbus", "name": "Nimbus OTA Services Ltd", "kind": "organization", "country": "GB", "headquarters": "CN",
         "lei": "CVRL00NIMBUSOTASV190", "website": "https://www.nimbus-ota.example"},
        {"id": "lakeshore", "name": "Lakeshore Telematics, Inc.", "kind": "organization", "country": "US", "headquarters": "US",
         "lei": "CVRL00LAKESHORETL180", "website": "https://www.lakeshore-telematics.example"},
    ],
    "ownership": [
        {"owner": "liang-jun", "owned": "qianyue", "voting_pct": 100, "equity_pct": 100, "from": date(2009, 4, 1)},
        {"owner": "northgate-holdings", "owned": "northgate", "voting_pct": 100, "equity_pct": 100, "from": date(2015, 1, 1)},
    ],
    "control": [
        {"by": "northgate-holdings", "over": "northgate", "kind": "board_majority", "from": date(2015, 1, 1)},
    ],
    "items": [
        {"id": "nk433", "name": "NK-433 remote keyless entry fob", "type": "hardware", "part_number": "NK-433-2",
         "version": "2", "rf_functions": "vehicle_access", "max_rf_mhz": 433.92, "designed_by": "northgate",
         "manufactured_by": "qianyue", "supplied_by": "northgate"},
        {"id": "ndk2", "name": "NDK-2 UWB and Bluetooth LE digital key module", "type": "hardware", "part_number": "NDK-2-1",
         "version": "1", "rf_functions": "uwb;bluetooth;vehicle_access", "max_rf_mhz": 7987.2, "designed_by": "northgate",
         "manufactured_by": "qianyue", "supplied_by": "northgate"},
        {"id": "ts7", "name": "TS-7 tire pressure monitoring sensor set", "type": "hardware", "part_number": "TS-7-433",
         "version": "7", "rf_functions": "tpms", "max_rf_mhz": 433.92, "designed_by": "alpenrad",
         "manufactured_by": "qianyue", "supplied_by": "alpenrad"},
        {"id": "lx-eth8", "name": "LX-ETH8 automotive Ethernet switch", "type": "hardware", "part_number": "LX-ETH8-A1",
         "version": "A1", "max_rf_mhz": 0, "designed_by": "lanchip", "manufactured_by": "lanchip", "supplied_by": "lanchip"},
        {"id": "nimbus-fota-agent", "name": "nimbus-fota-agent", "type": "software", "version": "3.1.0",
         "developed_by": "nimbus", "supplied_by": "nimbus", "maintained_by": "nimbus", "runs_on": "lt5",
         "purl": "pkg:generic/nimbus-ota/nimbus-fota-agent@3.1.0"},
        {"id": "lt5", "name": "LT-5 5G telematics control unit", "type": "hardware", "part_number": "LT-5-B1", "version": "B1",
         "rf_functions": "cellular;gnss;wifi;bluetooth", "max_rf_mhz": 5850, "designed_by": "lakeshore",
         "supplied_by": "lakeshore", "contains": "nimbus-fota-agent"},
    ],
}

CORVINA = {
    "parties": [
        {"id": "corvina", "name": "Corvina Infotainment S.r.l.", "kind": "organization", "country": "IT", "headquarters": "IT",
         "lei": "CVRL00CORVINAINFO136", "website": "https://www.corvina-infotainment.example",
         "email": "compliance@corvina-infotainment.example"},
        {"id": "gruppo-corvina", "name": "Gruppo Corvina S.p.A.", "kind": "organization", "country": "IT", "headquarters": "IT",
         "lei": "CVRL00CORVINAGRUP266"},
        {"id": "rigaroute", "name": "Rigaroute Software SIA", "kind": "organization", "country": "LV",
         "lei": "CVRL00RIGAROUTESW131", "website": "https://www.rigaroute.example"},
        {"id": "kaiyo", "name": "Kaiyo Wireless Modules K.K.", "kind": "organization", "country": "JP", "headquarters": "JP",
         "lei": "CVRL00KAIYOWIRELS102"},
    ],
    "ownership": [
        {"owner": "gruppo-corvina", "owned": "corvina", "voting_pct": 100, "equity_pct": 100, "from": date(2008, 7, 1)},
    ],
    "control": [],
    "items": [
        {"id": "civ7", "name": "CIV-7 infotainment unit", "type": "hardware", "part_number": "CIV-7-A", "version": "A",
         "rf_functions": "wifi;bluetooth;gnss", "max_rf_mhz": 5850, "designed_by": "corvina", "manufactured_by": "corvina",
         "supplied_by": "corvina", "maintained_by": "corvina", "contains": "kwb2;routeguide-237;routeguide-402"},
        {"id": "kwb2", "name": "KWB-2 Wi-Fi 5 and Bluetooth 5.2 module", "type": "hardware", "part_number": "KWB-2-R02",
         "version": "R02", "rf_functions": "wifi;bluetooth", "max_rf_mhz": 5850, "designed_by": "kaiyo",
         "manufactured_by": "kaiyo", "supplied_by": "kaiyo"},
        {"id": "routeguide-237", "name": "routeguide-nav", "type": "software", "version": "2.3.7",
         "developed_by": "rigaroute", "supplied_by": "corvina", "runs_on": "civ7",
         "purl": "pkg:generic/rigaroute/routeguide-nav@2.3.7"},
        {"id": "routeguide-402", "name": "routeguide-nav", "type": "software", "version": "4.0.2",
         "developed_by": "rigaroute", "supplied_by": "corvina", "runs_on": "civ7",
         "purl": "pkg:generic/rigaroute/routeguide-nav@4.0.2"},
    ],
}


def main(argv: list[str]) -> None:
    folder = Path(argv[1]) if len(argv) > 1 else FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    write_register(folder / XLSX, TIER2)
    write_register(folder / CSV, CORVINA)
    print(f"wrote {folder / XLSX} and {folder / CSV}")


if __name__ == "__main__":
    main(sys.argv)
