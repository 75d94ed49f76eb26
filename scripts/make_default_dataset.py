#!/usr/bin/env python3
"""Write the embedded default dataset of ChainAtlas (data/) as an import bundle.

The bundle format is docs/bundle-format.md.  The dataset describes the Zhejiang
medical-device industry:

* regions: GB/T 2260 codes read from /work/shared/data/regions (or --regions DIR),
  plus a few parks named by the seed policy documents;
* tracks, segments and the supply relations between segments: hand-written below;
* hospitals, universities/institutes and real platforms: public facts only
  (name, region, grade, well-known departments), hand-written below;
* enterprises named by the seed documents: only what the seeds say about them;
* every other enterprise and platform is INVENTED (illustrative=1, the token 示例
  right after the place name, no credit code), generated deterministically with
  random.Random(SEED), together with the relations among them.

Usage: python3 scripts/make_default_dataset.py [--regions DIR] [--out DIR]
Standard library only; the output is byte-for-byte reproducible.
"""

import argparse
import csv
import json
import math
import os
import random
import sys

SEED = 20240517
SOURCE = "zhejiang-medical-devices"
THIS_YEAR = 2025          # latest founding year we generate

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "data"))
DEFAULT_REGIONS = "/work/shared/data/regions"

SEED_DOCS = {
    "000": "seed 000: 桐庐县推进医疗器械产业跃升发展三年行动方案（2023-2025年）",
    "001": "seed 001: 绍兴市越城区关于推进医疗器械产业高质量发展的实施意见（2024—2035年）",
    "002": "seed 002: 浙江省 关于促进医疗器械产业提升发展的意见（精准对接、精准服务）",
    "003": "seed 003: 丽水市市场监督管理局关于市政协五届三次会议10号提案的答复（2024）",
    "004": "seed 004: 广东省 XX市（湛江）推动医疗器械产业高质量发展实施方案（征求意见稿）",
}

# ---------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------

# Outside Zhejiang: only the places we use.  Beijing and Shanghai districts sit
# directly under the province (their GB/T city row is the anonymous "市辖区").
OUTSIDE_CITIES = ["3205", "3202", "3401", "4403", "4408"]
OUTSIDE_COUNTIES = [
    "110101", "110102", "110106", "110108", "110114",
    "310101", "310104", "310110", "310112", "310114", "310115",
    "320505", "320506", "320508", "320576", "320583", "320214",
    "340103", "340176",
    "440304", "440305", "440306", "440307", "440803", "440811",
]
OUTSIDE_PROVINCES = ["11", "31", "32", "34", "37", "44"]

# Parks named by the seeds (code, name, county, seed).
PARKS = [
    ("330122-P01", "桐庐经济开发区医疗器械产业园", "330122", "000"),
    ("330122-P02", "桐庐健康小镇凤栖生命港", "330122", "000"),
    ("330122-P03", "桐庐卫品健康产业园", "330122", "000"),
    ("330602-P01", "迪荡产业创新核", "330602", "001"),
    ("330602-P02", "稽山产业承载区", "330602", "001"),
    ("331102-P01", "丽水经开区健康医药产业园", "331102", "003"),
    ("331102-P02", "莲都美丽健康产业园", "331102", "003"),
    ("331122-P01", "缙云县高端药用包装特色产业园", "331122", "003"),
    ("440811-P01", "麻章经济技术开发区", "440811", "004"),
]


def read_csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def build_regions(regions_dir):
    provs = {r["code"]: r["name"] for r in read_csv_rows(os.path.join(regions_dir, "provinces.csv"))}
    cities = {r["code"]: (r["name"], r["provinceCode"]) for r in read_csv_rows(os.path.join(regions_dir, "cities.csv"))}
    areas = {r["code"]: (r["name"], r["cityCode"], r["provinceCode"]) for r in read_csv_rows(os.path.join(regions_dir, "areas.csv"))}
    rows = []
    for p in sorted(set(["33"] + OUTSIDE_PROVINCES)):
        rows.append({"code": p + "0000", "name": provs[p], "level": "province", "parent": ""})
    for c in sorted(code for code, (_, p) in cities.items() if p == "33") + sorted(OUTSIDE_CITIES):
        name, p = cities[c]
        rows.append({"code": c + "00", "name": name, "level": "city", "parent": p + "0000"})
    zj = sorted(code for code, (_, _, p) in areas.items() if p == "33")
    for a in zj + sorted(OUTSIDE_COUNTIES):
        name, c, p = areas[a]
        parent = p + "0000" if p in ("11", "31") else c + "00"
        rows.append({"code": a, "name": name, "level": "county", "parent": parent})
    for code, name, county, seed in PARKS:
        rows.append({"code": code, "name": name, "level": "park", "parent": county,
                     "note": "named in " + SEED_DOCS[seed]})
    return rows


# ---------------------------------------------------------------------------
# Tracks and segments
# ---------------------------------------------------------------------------

TRACKS = [
    ("endo", "微创外科与内窥镜", "Minimally invasive surgery and endoscopes"),
    ("ivd", "体外诊断与POCT", "In-vitro diagnostics and POCT"),
    ("robot", "医疗机器人", "Medical robots"),
    ("aes", "医疗美容器械", "Medical aesthetics devices"),
    ("rehab", "康复与家用医疗器械", "Rehabilitation and home-use devices"),
    ("img", "医学影像设备与软件", "Medical imaging equipment and software"),
    ("dental", "口腔医疗器械与材料", "Dental devices and materials"),
    ("inf", "输注器械与一次性耗材", "Infusion devices and disposable consumables"),
    ("bio", "生物医用材料与植介入器械", "Biomaterials and implants"),
    ("bci", "脑机接口", "Brain-computer interface"),
    ("wear", "医用可穿戴设备", "Medical wearables"),
]

U, M, D = "upstream", "midstream", "downstream"
# (id, name, position, parent, name_en); the track is the id's prefix.
SEGMENTS = [
    # --- endoscopes / minimally invasive surgery
    ("endo.optics", "光学元件", U, "", "Optical components"),
    ("endo.optical_lens", "光学透镜", U, "endo.optics", "Optical lenses"),
    ("endo.rod_lens", "柱状透镜（棒镜）", U, "endo.optics", "Rod lenses"),
    ("endo.fiber_bundle", "光纤传像束与导光束", U, "endo.optics", "Optical fibre bundles"),
    ("endo.optical_coating", "光学镀膜与胶合", U, "endo.optics", "Optical coating and cementing"),
    ("endo.electronics", "电子元器件", U, "", "Electronic components"),
    ("endo.cmos_sensor", "CMOS图像传感器", U, "endo.electronics", "CMOS image sensors"),
    ("endo.image_processor", "图像处理芯片与模组", U, "endo.electronics", "Image-processing chips and modules"),
    ("endo.led_module", "LED/氙灯光源模组", U, "endo.electronics", "LED and xenon light modules"),
    ("endo.materials", "材料与精密零部件", U, "", "Materials and precision parts"),
    ("endo.medical_polymer", "医用高分子材料", U, "endo.materials", "Medical polymers"),
    ("endo.precision_steel", "不锈钢/钛合金精密加工件", U, "endo.materials", "Stainless-steel and titanium precision parts"),
    ("endo.bending_section", "蛇骨与插入管组件", U, "endo.materials", "Bending sections and insertion tubes"),
    ("endo.rigid_scope", "硬管内窥镜", M, "", "Rigid endoscopes"),
    ("endo.flexible_scope", "电子软镜", M, "", "Flexible electronic endoscopes"),
    ("endo.gi_scope", "消化道电子内镜", M, "endo.flexible_scope", "Gastrointestinal videoscopes"),
    ("endo.broncho_scope", "电子支气管镜", M, "endo.flexible_scope", "Video bronchoscopes"),
    ("endo.single_use_scope", "一次性电子内窥镜", M, "", "Single-use electronic endoscopes"),
    ("endo.camera_system", "4K/3D内窥镜摄像系统", M, "", "4K/3D endoscope camera systems"),
    ("endo.light_source", "内窥镜冷光源", M, "", "Endoscope cold light sources"),
    ("endo.instruments", "微创手术器械与耗材", M, "", "Minimally invasive instruments and consumables"),
    ("endo.laparoscopic_instr", "腔镜手术器械（钳、剪、抓钳）", M, "endo.instruments", "Laparoscopic hand instruments"),
    ("endo.trocar", "穿刺器", M, "endo.instruments", "Trocars"),
    ("endo.stapler", "吻合器", M, "endo.instruments", "Surgical staplers"),
    ("endo.ligation_clip", "可吸收结扎夹", M, "endo.instruments", "Absorbable ligation clips"),
    ("endo.absorbable_suture", "可吸收缝线", M, "endo.instruments", "Absorbable sutures"),
    ("endo.energy", "能量手术设备", M, "", "Energy surgical devices"),
    ("endo.ultrasonic_scalpel", "超声刀及一次性刀头", M, "endo.energy", "Ultrasonic scalpels and single-use blades"),
    ("endo.electrosurgical", "高频电刀与能量平台", M, "endo.energy", "Electrosurgical units and energy platforms"),
    ("endo.distribution", "内镜及微创器械经销", D, "", "Distribution"),
    ("endo.export", "出口与海外注册", D, "", "Export"),
    ("endo.repair", "内镜维修与售后服务", D, "", "Repair and after-sales service"),
    # --- IVD / POCT
    ("ivd.bio_materials", "生物原料", U, "", "Biological raw materials"),
    ("ivd.antibody_antigen", "抗原抗体", U, "ivd.bio_materials", "Antibodies and antigens"),
    ("ivd.enzyme", "诊断酶与辅料", U, "ivd.bio_materials", "Diagnostic enzymes"),
    ("ivd.primer_probe", "引物探针", U, "ivd.bio_materials", "Primers and probes"),
    ("ivd.consumable_materials", "试剂耗材材料", U, "", "Reagent consumable materials"),
    ("ivd.magnetic_beads", "磁珠与微球", U, "ivd.consumable_materials", "Magnetic beads and microspheres"),
    ("ivd.nc_membrane", "硝酸纤维素膜", U, "ivd.consumable_materials", "Nitrocellulose membranes"),
    ("ivd.microfluidic_chip", "微流控芯片", U, "ivd.consumable_materials", "Microfluidic chips"),
    ("ivd.optical_detector", "光电检测模块", U, "", "Photoelectric detection modules"),
    ("ivd.reagents", "体外诊断试剂", M, "", "IVD reagents"),
    ("ivd.poct_reagent", "POCT试剂（胶体金/荧光层析）", M, "ivd.reagents", "POCT reagents"),
    ("ivd.immunoassay_reagent", "化学发光免疫试剂", M, "ivd.reagents", "Chemiluminescence immunoassay reagents"),
    ("ivd.molecular_reagent", "分子诊断试剂", M, "ivd.reagents", "Molecular diagnostic reagents"),
    ("ivd.biochem_reagent", "生化诊断试剂", M, "ivd.reagents", "Clinical chemistry reagents"),
    ("ivd.home_test", "家用自测产品（流感、过敏原）", M, "ivd.reagents", "Home self-tests"),
    ("ivd.instruments", "体外诊断仪器", M, "", "IVD instruments"),
    ("ivd.poct_analyzer", "POCT分析仪", M, "ivd.instruments", "POCT analysers"),
    ("ivd.clia_analyzer", "化学发光分析仪", M, "ivd.instruments", "Chemiluminescence analysers"),
    ("ivd.pcr_instrument", "PCR与核酸检测仪", M, "ivd.instruments", "PCR and nucleic-acid instruments"),
    ("ivd.genetic_testing", "基因检测", M, "", "Genetic testing"),
    ("ivd.third_party_lab", "第三方医学检验实验室", D, "", "Independent clinical laboratories"),
    ("ivd.distribution", "体外诊断经销", D, "", "Distribution"),
    ("ivd.retail", "药店与电商零售", D, "", "Pharmacy and e-commerce retail"),
    # --- medical robots
    ("robot.core_parts", "核心零部件", U, "", "Core components"),
    ("robot.servo_motor", "伺服电机", U, "robot.core_parts", "Servo motors"),
    ("robot.harmonic_reducer", "谐波减速器", U, "robot.core_parts", "Harmonic reducers"),
    ("robot.force_sensor", "力/力矩传感器", U, "robot.core_parts", "Force/torque sensors"),
    ("robot.controller", "运动控制器", U, "robot.core_parts", "Motion controllers"),
    ("robot.optical_tracker", "光学导航定位系统", U, "", "Optical navigation and tracking"),
    ("robot.surgical", "手术机器人", M, "", "Surgical robots"),
    ("robot.laparoscopic_robot", "腔镜手术机器人", M, "robot.surgical", "Laparoscopic surgical robots"),
    ("robot.ortho_robot", "骨科手术机器人", M, "robot.surgical", "Orthopaedic surgical robots"),
    ("robot.neuro_robot", "神经外科手术机器人", M, "robot.surgical", "Neurosurgical robots"),
    ("robot.vascular_robot", "血管介入机器人", M, "robot.surgical", "Vascular interventional robots"),
    ("robot.robot_instruments", "机器人专用手术器械与耗材", M, "", "Robotic instruments and consumables"),
    ("robot.rehab_robot", "康复机器人", M, "", "Rehabilitation robots"),
    ("robot.exoskeleton", "外骨骼机器人与智能助行", M, "", "Exoskeletons and smart walking aids"),
    ("robot.service", "装机、培训与运维服务", D, "", "Installation, training and maintenance"),
    ("robot.distribution", "医疗机器人销售渠道", D, "", "Distribution"),
    # --- medical aesthetics
    ("aes.laser_source", "激光器", U, "", "Laser sources"),
    ("aes.rf_module", "射频/聚焦超声发生模块", U, "", "RF and focused-ultrasound generators"),
    ("aes.hyaluronic_acid", "透明质酸原料", U, "", "Hyaluronic acid raw material"),
    ("aes.collagen", "重组胶原蛋白", U, "", "Recombinant collagen"),
    ("aes.plla", "PLLA/PCL微球材料", U, "", "PLLA and PCL microspheres"),
    ("aes.laser_device", "医美激光设备", M, "", "Aesthetic lasers"),
    ("aes.rf_device", "射频与超声紧致设备", M, "", "RF and ultrasound skin-tightening devices"),
    ("aes.water_light", "水光注射仪", M, "", "Mesotherapy injectors"),
    ("aes.filler", "注射填充剂", M, "", "Dermal fillers"),
    ("aes.liposuction", "吸脂针与吸脂器械", M, "", "Liposuction cannulas and devices"),
    ("aes.thread_lift", "埋植线（线雕）", M, "", "Thread-lift sutures"),
    ("aes.clinic", "医美机构", D, "", "Aesthetic clinics"),
    ("aes.distribution", "医美渠道", D, "", "Distribution"),
    # --- rehabilitation and home use
    ("rehab.battery", "医用锂电池", U, "", "Medical lithium batteries"),
    ("rehab.frame", "铝合金/碳纤维结构件", U, "", "Aluminium and carbon-fibre frames"),
    ("rehab.biosensor", "血糖/血氧传感元件", U, "", "Glucose and oximetry sensing elements"),
    ("rehab.glucose_strip", "血糖试纸", M, "", "Glucose test strips"),
    ("rehab.monitoring", "家用健康监测设备", M, "", "Home health monitors"),
    ("rehab.glucose_meter", "便携血糖仪", M, "rehab.monitoring", "Portable glucose meters"),
    ("rehab.oximeter", "指夹式血氧仪", M, "rehab.monitoring", "Pulse oximeters"),
    ("rehab.ecg_monitor", "心电监测仪", M, "rehab.monitoring", "ECG monitors"),
    ("rehab.bp_monitor", "电子血压计", M, "rehab.monitoring", "Electronic blood-pressure monitors"),
    ("rehab.training_equip", "康复训练设备", M, "", "Rehabilitation training equipment"),
    ("rehab.walking_aid", "助行器械（轮椅、助行器）", M, "", "Walking aids and wheelchairs"),
    ("rehab.nursing_bed", "护理床与护理器械", M, "", "Nursing beds and care devices"),
    ("rehab.physio", "理疗设备", M, "", "Physiotherapy devices"),
    ("rehab.oxygen", "制氧机与雾化器", M, "", "Oxygen concentrators and nebulisers"),
    ("rehab.home_retail", "家用零售与电商", D, "", "Home retail and e-commerce"),
    ("rehab.care_center", "康复与养老机构", D, "", "Rehabilitation and elderly-care centres"),
    ("rehab.remote_care", "远程诊疗与数字医疗服务", D, "", "Remote care and digital health services"),
    # --- imaging
    ("img.magnet", "超导磁体", U, "", "Superconducting magnets"),
    ("img.rf_coil", "射频线圈", U, "", "RF coils"),
    ("img.xray_tube", "X射线球管", U, "", "X-ray tubes"),
    ("img.flat_detector", "平板探测器", U, "", "Flat-panel detectors"),
    ("img.transducer", "超声换能器与探头", U, "", "Ultrasound transducers"),
    ("img.mri", "磁共振成像系统", M, "", "MRI systems"),
    ("img.ct", "CT", M, "", "CT scanners"),
    ("img.dr", "数字化X射线摄影（DR）", M, "", "Digital radiography"),
    ("img.ultrasound", "超声诊断设备", M, "", "Ultrasound systems"),
    ("img.ai_software", "医学影像AI辅助诊断软件", M, "", "AI imaging software"),
    ("img.pacs", "影像信息系统（PACS）", M, "", "PACS"),
    ("img.imaging_center", "第三方影像中心", D, "", "Independent imaging centres"),
    ("img.service", "影像设备维保", D, "", "Equipment maintenance"),
    # --- dental
    ("dental.zirconia", "氧化锆瓷块", U, "", "Zirconia blanks"),
    ("dental.resin", "齿科树脂材料", U, "", "Dental resins"),
    ("dental.denture", "定制式义齿", M, "", "Custom dentures"),
    ("dental.implant", "牙种植体", M, "", "Dental implants"),
    ("dental.aligner", "隐形矫治器", M, "", "Clear aligners"),
    ("dental.scanner", "口内扫描仪", M, "", "Intraoral scanners"),
    ("dental.filling", "充填与印模材料", M, "", "Filling and impression materials"),
    ("dental.chair", "牙科综合治疗台", M, "", "Dental units"),
    ("dental.clinic", "口腔诊所", D, "", "Dental clinics"),
    ("dental.distribution", "齿科经销", D, "", "Distribution"),
    # --- infusion and disposables
    ("inf.pvc_tpe", "医用PVC/TPE粒料", U, "", "Medical PVC and TPE compounds"),
    ("inf.pp_pe", "医用PP/PE原料", U, "", "Medical PP and PE resins"),
    ("inf.needle_tube", "不锈钢针管", U, "", "Stainless-steel needle tubing"),
    ("inf.pump_motor", "微型步进电机", U, "", "Micro stepper motors"),
    ("inf.pharma_packaging", "药用包装材料", U, "", "Pharmaceutical packaging"),
    ("inf.infusion_set", "一次性输液器", M, "", "Single-use infusion sets"),
    ("inf.syringe", "一次性注射器", M, "", "Single-use syringes"),
    ("inf.infusion_pump", "电子输液泵/注射泵/营养泵", M, "", "Infusion, syringe and feeding pumps"),
    ("inf.catheter", "医用导管", M, "", "Medical catheters"),
    ("inf.blood_collection", "真空采血管", M, "", "Vacuum blood-collection tubes"),
    ("inf.dressings", "医用敷料与防护用品", M, "", "Dressings and protective products"),
    ("inf.prefilled_syringe", "预灌封注射器", M, "", "Prefilled syringes"),
    ("inf.hospital_supply", "医院耗材集采配送", D, "", "Hospital consumables supply"),
    ("inf.export", "耗材出口", D, "", "Export"),
    # --- biomaterials and implants
    ("bio.peek", "医用PEEK材料", U, "", "Medical PEEK"),
    ("bio.ti_alloy", "医用钛合金材料", U, "", "Medical titanium alloys"),
    ("bio.pla_pga", "可降解高分子（PLA/PGA/PCL）", U, "", "Degradable polymers"),
    ("bio.bioceramic", "生物陶瓷（羟基磷灰石）", U, "", "Bioceramics"),
    ("bio.nitinol", "镍钛合金", U, "", "Nitinol"),
    ("bio.ortho_implant", "骨科植入物", M, "", "Orthopaedic implants"),
    ("bio.cardio_stent", "心血管支架与介入器械", M, "", "Cardiovascular stents and interventional devices"),
    ("bio.bone_graft", "人工骨修复材料", M, "", "Bone-graft substitutes"),
    ("bio.absorbable_implant", "可吸收植入器械", M, "", "Absorbable implants"),
    ("bio.printed_implant", "3D打印个性化植入物", M, "", "3D-printed patient-specific implants"),
    ("bio.hernia_mesh", "疝修补片", M, "", "Hernia meshes"),
    ("bio.distribution", "高值耗材经销", D, "", "High-value consumables distribution"),
    # --- brain-computer interface
    ("bci.electrode", "脑电电极", U, "", "EEG electrodes"),
    ("bci.flexible_electrode", "柔性植入电极", U, "", "Flexible implantable electrodes"),
    ("bci.eeg_chip", "生物电采集芯片", U, "", "Biopotential acquisition chips"),
    ("bci.algorithm", "神经解码算法与软件", U, "", "Neural decoding software"),
    ("bci.noninvasive", "非侵入式脑机接口设备", M, "", "Non-invasive BCI devices"),
    ("bci.invasive", "侵入式脑机接口系统", M, "", "Invasive BCI systems"),
    ("bci.neurorehab", "脑控康复设备", M, "", "BCI-driven rehabilitation devices"),
    ("bci.neuromodulation", "神经调控设备", M, "", "Neuromodulation devices"),
    ("bci.clinical_service", "神经康复临床服务", D, "", "Neuro-rehabilitation services"),
    # --- wearables
    ("wear.mems_sensor", "MEMS传感器", U, "", "MEMS sensors"),
    ("wear.ppg_module", "PPG光电模组", U, "", "PPG optical modules"),
    ("wear.ble_soc", "低功耗蓝牙SoC", U, "", "Bluetooth low-energy SoCs"),
    ("wear.flexible_pcb", "柔性电路板", U, "", "Flexible printed circuits"),
    ("wear.ecg_patch", "动态心电贴", M, "", "ECG patches"),
    ("wear.cgm", "连续血糖监测（CGM）", M, "", "Continuous glucose monitors"),
    ("wear.smart_watch", "医用级智能手表/手环", M, "", "Medical-grade smart watches and bands"),
    ("wear.sleep_monitor", "睡眠呼吸监测设备", M, "", "Sleep-apnoea monitors"),
    ("wear.health_platform", "健康云与远程监测平台", D, "", "Health cloud and remote monitoring"),
]

# Supply relations: (input, output, weight).  Midstream -> downstream ties are
# added by downstream_supplies().
SUPPLIES = [
    # endoscopes
    ("endo.optical_lens", "endo.rigid_scope", 0.9), ("endo.rod_lens", "endo.rigid_scope", 1.0),
    ("endo.optical_coating", "endo.rigid_scope", 0.6), ("endo.fiber_bundle", "endo.rigid_scope", 0.8),
    ("endo.precision_steel", "endo.rigid_scope", 0.7), ("endo.optical_lens", "endo.camera_system", 0.7),
    ("endo.cmos_sensor", "endo.camera_system", 1.0), ("endo.image_processor", "endo.camera_system", 0.9),
    ("endo.led_module", "endo.light_source", 1.0), ("endo.fiber_bundle", "endo.light_source", 0.6),
    ("endo.light_source", "endo.camera_system", 0.5), ("endo.rigid_scope", "endo.camera_system", 0.4),
    ("endo.cmos_sensor", "endo.gi_scope", 1.0), ("endo.image_processor", "endo.gi_scope", 0.8),
    ("endo.bending_section", "endo.gi_scope", 0.9), ("endo.fiber_bundle", "endo.gi_scope", 0.7),
    ("endo.medical_polymer", "endo.gi_scope", 0.5), ("endo.cmos_sensor", "endo.broncho_scope", 1.0),
    ("endo.bending_section", "endo.broncho_scope", 0.9), ("endo.image_processor", "endo.broncho_scope", 0.7),
    ("endo.cmos_sensor", "endo.single_use_scope", 1.0), ("endo.medical_polymer", "endo.single_use_scope", 0.8),
    ("endo.led_module", "endo.single_use_scope", 0.7), ("endo.bending_section", "endo.single_use_scope", 0.6),
    ("endo.image_processor", "endo.single_use_scope", 0.6), ("endo.precision_steel", "endo.laparoscopic_instr", 1.0),
    ("endo.medical_polymer", "endo.laparoscopic_instr", 0.5), ("endo.precision_steel", "endo.trocar", 0.6),
    ("endo.medical_polymer", "endo.trocar", 0.9), ("endo.precision_steel", "endo.stapler", 0.9),
    ("endo.medical_polymer", "endo.stapler", 0.6), ("endo.precision_steel", "endo.ultrasonic_scalpel", 0.8),
    ("endo.precision_steel", "endo.electrosurgical", 0.5), ("endo.medical_polymer", "endo.ligation_clip", 0.7),
    ("bio.pla_pga", "endo.ligation_clip", 1.0), ("bio.pla_pga", "endo.absorbable_suture", 1.0),
    ("img.transducer", "endo.ultrasonic_scalpel", 0.7), ("inf.needle_tube", "endo.laparoscopic_instr", 0.3),
    ("endo.camera_system", "endo.repair", 0.6), ("endo.rigid_scope", "endo.repair", 0.9),
    # IVD
    ("ivd.antibody_antigen", "ivd.poct_reagent", 1.0), ("ivd.nc_membrane", "ivd.poct_reagent", 0.8),
    ("ivd.antibody_antigen", "ivd.immunoassay_reagent", 1.0), ("ivd.magnetic_beads", "ivd.immunoassay_reagent", 0.8),
    ("ivd.enzyme", "ivd.immunoassay_reagent", 0.6), ("ivd.enzyme", "ivd.molecular_reagent", 1.0),
    ("ivd.primer_probe", "ivd.molecular_reagent", 1.0), ("ivd.magnetic_beads", "ivd.molecular_reagent", 0.6),
    ("ivd.enzyme", "ivd.biochem_reagent", 0.9), ("ivd.antibody_antigen", "ivd.home_test", 0.9),
    ("ivd.nc_membrane", "ivd.home_test", 0.8), ("ivd.microfluidic_chip", "ivd.poct_reagent", 0.6),
    ("ivd.microfluidic_chip", "ivd.poct_analyzer", 0.7), ("ivd.optical_detector", "ivd.poct_analyzer", 0.9),
    ("ivd.optical_detector", "ivd.clia_analyzer", 1.0), ("ivd.optical_detector", "ivd.pcr_instrument", 0.8),
    ("ivd.poct_reagent", "ivd.poct_analyzer", 0.5), ("ivd.immunoassay_reagent", "ivd.clia_analyzer", 0.6),
    ("ivd.molecular_reagent", "ivd.genetic_testing", 0.9), ("ivd.pcr_instrument", "ivd.genetic_testing", 0.8),
    ("ivd.primer_probe", "ivd.genetic_testing", 0.6), ("inf.pp_pe", "ivd.microfluidic_chip", 0.6),
    ("inf.blood_collection", "ivd.third_party_lab", 0.5), ("robot.controller", "ivd.clia_analyzer", 0.3),
    ("inf.pump_motor", "ivd.clia_analyzer", 0.4), ("inf.pp_pe", "ivd.poct_reagent", 0.3),
    # robots
    ("robot.servo_motor", "robot.laparoscopic_robot", 1.0), ("robot.harmonic_reducer", "robot.laparoscopic_robot", 1.0),
    ("robot.force_sensor", "robot.laparoscopic_robot", 0.8), ("robot.controller", "robot.laparoscopic_robot", 0.9),
    ("endo.camera_system", "robot.laparoscopic_robot", 0.9), ("endo.cmos_sensor", "robot.laparoscopic_robot", 0.5),
    ("robot.robot_instruments", "robot.laparoscopic_robot", 0.8), ("robot.servo_motor", "robot.ortho_robot", 1.0),
    ("robot.harmonic_reducer", "robot.ortho_robot", 0.9), ("robot.optical_tracker", "robot.ortho_robot", 1.0),
    ("robot.force_sensor", "robot.ortho_robot", 0.7), ("robot.controller", "robot.ortho_robot", 0.8),
    ("robot.optical_tracker", "robot.neuro_robot", 1.0), ("robot.servo_motor", "robot.neuro_robot", 0.8),
    ("robot.harmonic_reducer", "robot.neuro_robot", 0.7), ("robot.servo_motor", "robot.vascular_robot", 0.9),
    ("robot.force_sensor", "robot.vascular_robot", 1.0), ("inf.catheter", "robot.vascular_robot", 0.6),
    ("robot.servo_motor", "robot.rehab_robot", 1.0), ("robot.harmonic_reducer", "robot.rehab_robot", 0.8),
    ("robot.force_sensor", "robot.rehab_robot", 0.7), ("robot.controller", "robot.rehab_robot", 0.7),
    ("robot.servo_motor", "robot.exoskeleton", 1.0), ("robot.harmonic_reducer", "robot.exoskeleton", 0.9),
    ("rehab.battery", "robot.exoskeleton", 0.7), ("wear.mems_sensor", "robot.exoskeleton", 0.6),
    ("rehab.frame", "robot.exoskeleton", 0.6), ("endo.precision_steel", "robot.robot_instruments", 1.0),
    ("endo.laparoscopic_instr", "robot.robot_instruments", 0.5), ("endo.precision_steel", "robot.harmonic_reducer", 0.4),
    ("img.ct", "robot.ortho_robot", 0.3), ("bci.algorithm", "robot.rehab_robot", 0.3),
    # aesthetics
    ("aes.laser_source", "aes.laser_device", 1.0), ("aes.rf_module", "aes.rf_device", 1.0),
    ("img.transducer", "aes.rf_device", 0.5), ("aes.hyaluronic_acid", "aes.filler", 1.0),
    ("aes.collagen", "aes.filler", 0.7), ("aes.plla", "aes.filler", 0.6), ("aes.hyaluronic_acid", "aes.water_light", 0.5),
    ("inf.needle_tube", "aes.water_light", 0.6), ("inf.pump_motor", "aes.water_light", 0.5),
    ("endo.precision_steel", "aes.liposuction", 0.9), ("inf.needle_tube", "aes.liposuction", 0.6),
    ("bio.pla_pga", "aes.thread_lift", 1.0), ("aes.plla", "aes.thread_lift", 0.5), ("inf.syringe", "aes.filler", 0.4),
    # rehabilitation and home use
    ("rehab.biosensor", "rehab.glucose_strip", 1.0), ("ivd.enzyme", "rehab.glucose_strip", 0.8),
    ("rehab.glucose_strip", "rehab.glucose_meter", 0.9), ("rehab.biosensor", "rehab.glucose_meter", 0.6),
    ("rehab.biosensor", "rehab.oximeter", 0.9), ("wear.ppg_module", "rehab.oximeter", 0.8),
    ("rehab.battery", "rehab.oximeter", 0.4), ("wear.ble_soc", "rehab.ecg_monitor", 0.6),
    ("bci.electrode", "rehab.ecg_monitor", 0.4), ("inf.pump_motor", "rehab.bp_monitor", 0.6),
    ("wear.mems_sensor", "rehab.bp_monitor", 0.7), ("robot.servo_motor", "rehab.training_equip", 0.8),
    ("rehab.frame", "rehab.training_equip", 0.7), ("rehab.frame", "rehab.walking_aid", 1.0),
    ("rehab.battery", "rehab.walking_aid", 0.6), ("robot.servo_motor", "rehab.walking_aid", 0.5),
    ("rehab.frame", "rehab.nursing_bed", 0.8), ("robot.servo_motor", "rehab.nursing_bed", 0.5),
    ("rehab.battery", "rehab.physio", 0.4), ("inf.pump_motor", "rehab.oxygen", 0.7), ("inf.pp_pe", "rehab.oxygen", 0.3),
    ("robot.rehab_robot", "rehab.care_center", 0.6), ("rehab.ecg_monitor", "rehab.remote_care", 0.6),
    # imaging
    ("img.magnet", "img.mri", 1.0), ("img.rf_coil", "img.mri", 0.9), ("img.xray_tube", "img.ct", 1.0),
    ("img.flat_detector", "img.ct", 0.8), ("img.xray_tube", "img.dr", 1.0), ("img.flat_detector", "img.dr", 1.0),
    ("img.transducer", "img.ultrasound", 1.0), ("endo.image_processor", "img.ultrasound", 0.5),
    ("img.ai_software", "img.pacs", 0.4), ("img.ai_software", "img.ct", 0.4), ("img.ai_software", "img.mri", 0.4),
    ("img.pacs", "img.imaging_center", 0.7), ("img.mri", "img.imaging_center", 0.9), ("img.ct", "img.imaging_center", 0.9),
    # dental
    ("dental.zirconia", "dental.denture", 1.0), ("dental.resin", "dental.denture", 0.7),
    ("bio.ti_alloy", "dental.implant", 1.0), ("bio.bioceramic", "dental.implant", 0.4), ("dental.resin", "dental.aligner", 0.9),
    ("dental.resin", "dental.filling", 1.0), ("endo.cmos_sensor", "dental.scanner", 0.8), ("endo.optical_lens", "dental.scanner", 0.7),
    ("dental.scanner", "dental.denture", 0.4), ("dental.scanner", "dental.aligner", 0.7),
    ("robot.servo_motor", "dental.chair", 0.4), ("endo.led_module", "dental.chair", 0.3), ("bio.bone_graft", "dental.implant", 0.3),
    # infusion and disposables
    ("inf.pvc_tpe", "inf.infusion_set", 1.0), ("inf.needle_tube", "inf.infusion_set", 0.8), ("inf.pp_pe", "inf.infusion_set", 0.5),
    ("inf.pp_pe", "inf.syringe", 1.0), ("inf.needle_tube", "inf.syringe", 0.9), ("inf.pump_motor", "inf.infusion_pump", 1.0),
    ("rehab.battery", "inf.infusion_pump", 0.5), ("inf.pvc_tpe", "inf.catheter", 0.9), ("endo.medical_polymer", "inf.catheter", 0.8),
    ("inf.pp_pe", "inf.blood_collection", 0.9), ("inf.pharma_packaging", "inf.prefilled_syringe", 1.0),
    ("inf.needle_tube", "inf.prefilled_syringe", 0.7), ("inf.pp_pe", "inf.dressings", 0.6), ("inf.infusion_set", "inf.infusion_pump", 0.4),
    # biomaterials and implants
    ("bio.ti_alloy", "bio.ortho_implant", 1.0), ("bio.peek", "bio.ortho_implant", 0.8), ("endo.precision_steel", "bio.ortho_implant", 0.6),
    ("bio.nitinol", "bio.cardio_stent", 1.0), ("bio.pla_pga", "bio.cardio_stent", 0.6), ("inf.catheter", "bio.cardio_stent", 0.6),
    ("bio.bioceramic", "bio.bone_graft", 1.0), ("bio.pla_pga", "bio.bone_graft", 0.5), ("bio.pla_pga", "bio.absorbable_implant", 1.0),
    ("bio.ti_alloy", "bio.printed_implant", 1.0), ("bio.peek", "bio.printed_implant", 0.6), ("img.ct", "bio.printed_implant", 0.3),
    ("endo.medical_polymer", "bio.hernia_mesh", 0.9), ("bio.pla_pga", "bio.hernia_mesh", 0.5),
    # brain-computer interface
    ("bci.electrode", "bci.noninvasive", 1.0), ("bci.eeg_chip", "bci.noninvasive", 1.0), ("bci.algorithm", "bci.noninvasive", 0.9),
    ("bci.flexible_electrode", "bci.invasive", 1.0), ("bci.eeg_chip", "bci.invasive", 0.9), ("bci.algorithm", "bci.invasive", 0.9),
    ("bci.noninvasive", "bci.neurorehab", 0.9), ("robot.exoskeleton", "bci.neurorehab", 0.6), ("robot.rehab_robot", "bci.neurorehab", 0.5),
    ("bci.eeg_chip", "bci.neuromodulation", 0.7), ("bci.flexible_electrode", "bci.neuromodulation", 0.6),
    ("wear.ble_soc", "bci.noninvasive", 0.5), ("rehab.battery", "bci.neuromodulation", 0.5), ("robot.neuro_robot", "bci.invasive", 0.4),
    # wearables
    ("wear.mems_sensor", "wear.smart_watch", 0.9), ("wear.ppg_module", "wear.smart_watch", 1.0), ("wear.ble_soc", "wear.smart_watch", 0.9),
    ("wear.flexible_pcb", "wear.smart_watch", 0.6), ("rehab.battery", "wear.smart_watch", 0.6), ("wear.ble_soc", "wear.ecg_patch", 1.0),
    ("wear.flexible_pcb", "wear.ecg_patch", 0.9), ("bci.electrode", "wear.ecg_patch", 0.7), ("bci.eeg_chip", "wear.ecg_patch", 0.6),
    ("rehab.biosensor", "wear.cgm", 1.0), ("ivd.enzyme", "wear.cgm", 0.8), ("wear.ble_soc", "wear.cgm", 0.8), ("wear.flexible_pcb", "wear.cgm", 0.6),
    ("wear.ppg_module", "wear.sleep_monitor", 0.8), ("wear.mems_sensor", "wear.sleep_monitor", 0.7), ("wear.ble_soc", "wear.sleep_monitor", 0.6),
    ("wear.ecg_patch", "wear.health_platform", 0.7), ("wear.cgm", "wear.health_platform", 0.6), ("wear.smart_watch", "wear.health_platform", 0.6),
    ("wear.ecg_patch", "rehab.remote_care", 0.5), ("img.ai_software", "rehab.remote_care", 0.3),
]

# Downstream segments each track's midstream devices flow into: (downstream, weight, only-these-midstreams or None).
DOWNSTREAM = {
    "endo": [("endo.distribution", 0.8, None), ("endo.export", 0.6, None)],
    "ivd": [("ivd.distribution", 0.8, None), ("ivd.third_party_lab", 0.7, ["ivd.immunoassay_reagent", "ivd.molecular_reagent", "ivd.biochem_reagent", "ivd.clia_analyzer", "ivd.pcr_instrument"]),
            ("ivd.retail", 0.6, ["ivd.home_test", "ivd.poct_reagent"])],
    "robot": [("robot.service", 0.7, ["robot.laparoscopic_robot", "robot.ortho_robot", "robot.neuro_robot", "robot.vascular_robot", "robot.rehab_robot"]),
              ("robot.distribution", 0.6, None)],
    "aes": [("aes.clinic", 0.9, None), ("aes.distribution", 0.7, None)],
    "rehab": [("rehab.home_retail", 0.8, ["rehab.glucose_strip", "rehab.glucose_meter", "rehab.oximeter", "rehab.ecg_monitor", "rehab.bp_monitor", "rehab.walking_aid", "rehab.oxygen", "rehab.physio"]),
              ("rehab.care_center", 0.7, ["rehab.training_equip", "rehab.walking_aid", "rehab.nursing_bed", "rehab.physio"])],
    "img": [("img.service", 0.6, ["img.mri", "img.ct", "img.dr", "img.ultrasound"])],
    "dental": [("dental.clinic", 0.9, None), ("dental.distribution", 0.6, None)],
    "inf": [("inf.hospital_supply", 0.9, None), ("inf.export", 0.6, ["inf.infusion_set", "inf.syringe", "inf.dressings", "inf.catheter", "inf.blood_collection"])],
    "bio": [("bio.distribution", 0.9, None)],
    "bci": [("bci.clinical_service", 0.8, None)],
    "wear": [],
}


def downstream_supplies(segments):
    out = []
    for track, _, _ in TRACKS:
        mids = [s for s in leaf_ids(segments) if s.startswith(track + ".") and segments[s]["position"] == M]
        for down, w, only in DOWNSTREAM[track]:
            for m in mids:
                if only is None or m in only:
                    out.append((m, down, w))
    return out


def leaf_ids(segments):
    parents = {s["parent"] for s in segments.values() if s["parent"]}
    return [sid for sid in segments if sid not in parents]


# ---------------------------------------------------------------------------
# Real institutions (public facts only)
# ---------------------------------------------------------------------------

# Hospitals: (id, name, region, grade, clinical_trial, departments, focus tracks, note)
# grade / clinical_trial left empty where we are not sure.  A region at city level
# means we did not want to guess the district.
T3A = "三级甲等"
HOSPITALS = [
    ("H001", "浙江大学医学院附属第一医院", "330102", T3A, "1", "器官移植;感染病科;肝胆胰外科;泌尿外科", "endo;robot;ivd;img", ""),
    ("H002", "浙江大学医学院附属第二医院", "330102", T3A, "1", "心血管内科;眼科;神经外科;急诊医学科;骨科", "endo;robot;bio;img;bci", ""),
    ("H003", "浙江大学医学院附属邵逸夫医院", "330102", T3A, "1", "普通外科;消化内科;妇科;泌尿外科", "endo;robot;img;wear",
     "seed 000 names its 微创器械创新及应用国家工程研究中心"),
    ("H004", "浙江大学医学院附属妇产科医院", "330102", T3A, "1", "妇科;产科", "endo;ivd", ""),
    ("H005", "浙江大学医学院附属儿童医院", "330100", T3A, "1", "小儿外科;新生儿科", "endo;ivd", ""),
    ("H006", "浙江省人民医院", "330105", T3A, "1", "普通外科;心血管内科;康复医学科", "endo;rehab;img;robot", ""),
    ("H007", "浙江大学医学院附属口腔医院", "330100", "", "", "口腔科", "dental", ""),
    ("H008", "浙江省中医院", "330102", T3A, "1", "中医科;康复医学科", "rehab;ivd", "浙江中医药大学附属第一医院"),
    ("H009", "杭州市第一人民医院", "330102", T3A, "", "普通外科;心血管内科", "endo;img", ""),
    ("H010", "浙江省肿瘤医院", "330105", T3A, "1", "肿瘤外科;放射治疗科;病理科", "endo;ivd;img", ""),
    ("H011", "浙江医院", "330106", T3A, "", "老年医学科;康复医学科", "rehab;wear", ""),
    ("H012", "浙江省立同德医院", "330106", T3A, "", "精神卫生科;中医科", "rehab;bci", ""),
    ("H013", "杭州市中医院", "330105", T3A, "", "中医科;肾内科", "rehab", ""),
    ("H014", "浙江大学医学院附属第四医院", "330782", T3A, "", "普通外科;骨科", "endo;bio", ""),
    ("H015", "桐庐县第一人民医院", "330122", "", "", "", "endo;ivd", ""),
    ("H016", "桐庐县中医院", "330122", "", "", "", "rehab", ""),
    ("H017", "宁波市第一医院", "330203", T3A, "", "心血管内科;普通外科", "endo;img;wear", ""),
    ("H018", "宁波市第二医院", "330203", T3A, "", "普通外科;骨科", "endo;bio", ""),
    ("H019", "宁波市医疗中心李惠利医院", "330212", T3A, "", "心血管内科;神经外科", "img;bio", ""),
    ("H020", "宁波市妇女儿童医院", "330203", T3A, "", "妇科;产科;儿科", "ivd;endo", ""),
    ("H021", "温州医科大学附属第一医院", "330304", T3A, "1", "普通外科;心血管内科;检验科", "endo;ivd;img;robot", ""),
    ("H022", "温州医科大学附属第二医院", "330302", T3A, "1", "骨科;儿科", "bio;robot;rehab", ""),
    ("H023", "温州医科大学附属眼视光医院", "330302", T3A, "", "眼科", "img", ""),
    ("H024", "温州市人民医院", "330302", T3A, "", "妇产科;儿科", "ivd", ""),
    ("H025", "嘉兴市第一医院", "330402", T3A, "", "普通外科;心血管内科", "endo;img", ""),
    ("H026", "嘉兴市第二医院", "330402", T3A, "", "康复医学科;神经内科", "rehab;bci", ""),
    ("H027", "湖州市中心医院", "330502", T3A, "", "普通外科;心血管内科", "endo;img", ""),
    ("H028", "德清县人民医院", "330521", "", "", "", "endo;dental", ""),
    ("H029", "绍兴市人民医院", "330602", T3A, "", "普通外科;神经外科;检验科", "endo;img;ivd;bci", ""),
    ("H030", "绍兴市中医院", "330602", T3A, "", "中医科;骨伤科", "rehab", ""),
    ("H031", "金华市中心医院", "330702", T3A, "", "普通外科;心血管内科", "endo;img", ""),
    ("H032", "衢州市人民医院", "330802", T3A, "", "普通外科;骨科", "endo;bio", ""),
    ("H033", "舟山医院", "330902", T3A, "", "普通外科", "endo", ""),
    ("H034", "浙江省台州医院", "331082", T3A, "", "普通外科;骨科;心血管内科", "endo;bio;robot", ""),
    ("H035", "丽水市中心医院", "331102", T3A, "", "放射科;介入科;普通外科", "img;endo;aes",
     "seed 003 names its 影像诊断与微创研究省级重点实验室"),
    ("H036", "缙云县人民医院", "331122", "", "", "", "rehab", ""),
    ("H037", "龙泉市人民医院", "331181", "", "", "", "inf", ""),
    ("H038", "复旦大学附属中山医院", "310104", T3A, "1", "心血管内科;普通外科;消化内科", "endo;bio;robot;img", ""),
    ("H039", "上海交通大学医学院附属瑞金医院", "310101", T3A, "1", "普通外科;内分泌科;血液科", "endo;robot;wear", ""),
    ("H040", "北京协和医院", "110101", T3A, "1", "内分泌科;妇科;消化内科", "endo;ivd;wear", ""),
    ("H041", "中国人民解放军总医院", "110108", T3A, "1", "普通外科;骨科;神经外科", "robot;bio;bci", ""),
    ("H042", "首都医科大学附属北京天坛医院", "110106", T3A, "1", "神经外科;神经内科", "bci;robot", ""),
    ("H043", "北京积水潭医院", "110102", T3A, "1", "骨科;创伤骨科", "robot;bio", ""),
    ("H044", "苏州大学附属第一医院", "320508", T3A, "1", "血液科;骨科", "bio;ivd", ""),
    ("H045", "北京大学深圳医院", "440304", T3A, "", "普通外科;泌尿外科", "endo;wear", ""),
    ("H046", "安徽省立医院", "340103", T3A, "1", "普通外科;心血管内科", "endo;img", "中国科学技术大学附属第一医院"),
    ("H047", "广东医科大学附属医院", "440803", T3A, "", "普通外科;骨科", "endo;inf", "in Zhanjiang, the city of seed 004"),
]

# Institutions: (id, name, region, kind, key_labs, research segments, note)
INSTITUTIONS = [
    ("U001", "浙江大学", "330106", "university", "生物医学工程教育部重点实验室",
     "endo.camera_system endo.image_processor endo.optical_lens robot.laparoscopic_robot robot.force_sensor img.ai_software img.ultrasound bci.invasive bci.algorithm bio.printed_implant ivd.microfluidic_chip", ""),
    ("U002", "浙江工业大学", "330105", "university", "", "endo.precision_steel robot.controller robot.rehab_robot rehab.training_equip bio.pla_pga", ""),
    ("U003", "杭州电子科技大学", "330114", "university", "", "endo.image_processor bci.eeg_chip bci.algorithm wear.ble_soc img.ai_software rehab.ecg_monitor", ""),
    ("U004", "温州医科大学", "330304", "university", "", "ivd.poct_reagent ivd.molecular_reagent img.ai_software bio.bone_graft", ""),
    ("U005", "中国科学院宁波材料技术与工程研究所", "330211", "institute", "", "bio.peek bio.ti_alloy bio.pla_pga endo.medical_polymer wear.flexible_pcb robot.servo_motor img.magnet", ""),
    ("U006", "之江实验室", "330110", "lab", "", "bci.invasive bci.algorithm bci.eeg_chip img.ai_software robot.controller", ""),
    ("U007", "西湖大学", "330106", "university", "", "bci.flexible_electrode ivd.antibody_antigen aes.collagen wear.mems_sensor", ""),
    ("U008", "浙江清华长三角研究院", "330402", "institute", "", "ivd.molecular_reagent ivd.pcr_instrument wear.mems_sensor", ""),
    ("U009", "绍兴文理学院", "330602", "university", "", "inf.dressings bio.pla_pga ivd.biochem_reagent", ""),
    ("U010", "丽水学院", "331102", "university", "", "rehab.walking_aid dental.zirconia aes.hyaluronic_acid", "seed 003"),
    ("U011", "丽水职业技术学院", "331102", "university", "", "rehab.walking_aid inf.infusion_set", "seed 003"),
    ("U012", "杭电丽水研究院", "331100", "institute", "", "img.ai_software rehab.training_equip inf.infusion_pump", "seed 003"),
    ("U013", "浙江大学-丽水生命健康联合创新中心", "331100", "institute", "", "ivd.poct_reagent aes.filler rehab.physio", "seed 003"),
    ("U014", "微创器械创新及应用国家工程研究中心", "330102", "lab", "微创器械创新及应用国家工程研究中心",
     "endo.rigid_scope endo.camera_system endo.single_use_scope endo.laparoscopic_instr endo.stapler endo.ultrasonic_scalpel endo.electrosurgical robot.laparoscopic_robot robot.robot_instruments",
     "seed 000: at 浙大邵逸夫医院; Tonglu seeks a branch centre"),
    ("U015", "浙江中医药大学", "330108", "university", "", "rehab.physio rehab.training_equip ivd.biochem_reagent", ""),
    ("U016", "中国计量大学", "330114", "university", "", "endo.optical_lens endo.optical_coating ivd.optical_detector wear.mems_sensor", ""),
    ("U017", "浙江理工大学", "330114", "university", "", "inf.dressings bio.hernia_mesh bio.pla_pga", ""),
    ("U018", "宁波大学", "330205", "university", "", "endo.optical_lens img.transducer rehab.training_equip", ""),
    ("U019", "杭州医学院", "330106", "university", "", "ivd.antibody_antigen ivd.immunoassay_reagent", ""),
    ("U020", "浙江大学杭州国际科创中心", "330109", "institute", "", "endo.cmos_sensor endo.image_processor bio.printed_implant wear.flexible_pcb", ""),
    ("U021", "中国科学院大学杭州高等研究院", "330106", "institute", "", "ivd.primer_probe ivd.enzyme aes.collagen", ""),
    ("U022", "宁波诺丁汉大学", "330212", "university", "", "robot.exoskeleton wear.smart_watch", ""),
    ("U023", "嘉兴学院", "330402", "university", "", "inf.pvc_tpe bio.pla_pga", ""),
    ("U024", "复旦大学", "310110", "university", "", "img.mri img.ai_software bci.noninvasive ivd.molecular_reagent", ""),
    ("U025", "上海交通大学", "310112", "university", "上海交通大学医疗机器人研究院",
     "robot.laparoscopic_robot robot.ortho_robot robot.vascular_robot robot.force_sensor bio.ortho_implant img.ai_software", ""),
    ("U026", "苏州大学", "320508", "university", "", "bio.bone_graft bio.absorbable_implant aes.collagen", ""),
    ("U027", "中国科学院苏州生物医学工程技术研究所", "320505", "institute", "",
     "endo.gi_scope endo.optical_lens ivd.poct_analyzer ivd.clia_analyzer img.ultrasound rehab.ecg_monitor", ""),
    ("U028", "清华大学", "110108", "university", "", "bci.noninvasive bci.invasive bci.neuromodulation img.ct robot.ortho_robot", ""),
    ("U029", "北京航空航天大学", "110108", "university", "", "robot.ortho_robot robot.neuro_robot robot.controller robot.harmonic_reducer", ""),
    ("U030", "中国科学院深圳先进技术研究院", "440305", "institute", "",
     "img.mri img.ultrasound robot.rehab_robot bci.noninvasive wear.ecg_patch wear.cgm", ""),
    ("U031", "中国科学技术大学", "340100", "university", "", "img.ct img.flat_detector bci.eeg_chip", ""),
    ("U032", "丽水市中心医院影像诊断与微创研究省级重点实验室", "331102", "lab", "影像诊断与微创研究省级重点实验室",
     "img.ai_software img.ct img.mri endo.single_use_scope", "seed 003: at 丽水市中心医院 (name as the seed words it)"),
]

# Real platforms: (id, name, region, kind, accreditations, tracks served, note)
ALL_TRACKS = "endo ivd robot aes rehab img dental inf bio bci wear"
REAL_PLATFORMS = [
    ("P001", "浙江省医疗器械检验研究院", "330100", "testing", "CMA;CNAS", ALL_TRACKS,
     "seed 002 (省医疗器械检验院; may open a service point in Tonglu)"),
    ("P002", "浙江省医疗器械审评中心", "330100", "registration", "", ALL_TRACKS, "seed 002"),
    ("P003", "余杭生物医药高新区", "330110", "park", "", "ivd bio inf", "seed 002 (its name and district as the seed gives them)"),
    ("P004", "绍兴现代医药高新区", "330600", "park", "", "ivd inf bio", "seed 002"),
    ("P005", "桐庐经济开发区医疗器械产业园", "330122-P01", "park", "", "endo aes", "seed 000"),
    ("P006", "凤栖生命港公共创新服务平台", "330122-P02", "incubator", "", "ivd rehab", "seed 000"),
    ("P007", "桐庐医疗器械柔性服务站", "330122", "registration", "", "endo ivd aes rehab",
     "seed 000 names a 柔性服务站 serving Tonglu device firms; exact name not given"),
    ("P008", "绍兴医疗器械创新服务中心", "330602", "registration", "", "img ivd bci robot wear inf",
     "seed 001: 国家医疗器械产业链创新联盟绍兴医疗器械创新服务中心"),
    ("P009", "越城区3C创新服务平台", "330602", "testing", "", "img ivd bci wear",
     "seed 001 names a 3C (innovation) service platform; exact name not given"),
    ("P010", "丽水医药创新和审评柔性服务站", "331100", "registration", "", "rehab aes ivd img dental inf", "seed 003 (being set up)"),
    ("P011", "国家药监局医疗器械技术审评检查长三角分中心", "310000", "registration", "", ALL_TRACKS, ""),
    ("P012", "上海市医疗器械检验研究院", "310000", "testing", "CMA;CNAS", "endo robot img inf", ""),
    ("P013", "江苏省医疗器械检验所", "320000", "testing", "CMA;CNAS", "ivd inf bio", ""),
    ("P014", "广东省医疗器械质量监督检验所", "440000", "testing", "CMA;CNAS", "img wear rehab", ""),
]

# Invented platforms: (place, middle, kind, region, accreditations, tracks)
ILLUSTRATIVE_PLATFORMS = [
    ("桐庐", "医疗器械CDMO平台", "cdmo", "330122-P01", "", "endo aes"),
    ("桐庐", "医疗器械孵化器", "incubator", "330122-P01", "", "endo ivd aes rehab"),
    ("桐庐", "精密加工中心", "machining", "330122-P01", "", "endo aes robot"),
    ("桐庐", "医械检验实验室", "testing", "330122", "CMA;CNAS", "endo aes"),
    ("桐庐", "环氧乙烷灭菌中心", "sterilisation", "330122", "", "endo aes inf"),
    ("桐庐", "医疗器械销售服务平台", "sales", "330122", "", "endo aes rehab"),
    ("桐庐", "生物医药产业引导基金", "fund", "330122", "", "endo ivd robot aes rehab"),
    ("桐庐", "内镜出海服务平台", "sales", "330122", "", "endo"),
    ("绍兴", "医疗器械产业子基金", "fund", "330602", "", "img ivd bci robot wear"),
    ("绍兴", "医疗器械种子基金", "fund", "330602", "", "bci wear ivd"),
    ("绍兴", "环氧乙烷灭菌中心", "sterilisation", "330602-P02", "", "inf bio endo"),
    ("绍兴", "医疗器械CRO", "cro", "330602-P01", "", "img ivd bci"),
    ("绍兴", "医疗器械CMO", "cmo", "330602-P02", "", "inf ivd wear"),
    ("绍兴", "医械合同销售CSO", "cso", "330602", "", "img ivd inf"),
    ("杭州", "医疗器械CRO", "cro", "330108", "", "ivd img wear robot"),
    ("杭州", "体外诊断CDMO平台", "cdmo", "330110", "", "ivd"),
    ("杭州", "医疗器械检测中心", "testing", "330114", "CMA;CNAS", "ivd inf wear rehab"),
    ("杭州", "医疗机器人孵化器", "incubator", "330106", "", "robot bci"),
    ("杭州", "医疗健康产业基金", "fund", "330108", "", "ivd img robot bci wear"),
    ("杭州", "跨境医械出口平台", "sales", "330109", "", "rehab inf endo"),
    ("宁波", "医疗器械检验实验室", "testing", "330212", "CMA;CNAS", "img rehab bio"),
    ("宁波", "精密加工中心", "machining", "330206", "", "robot bio img"),
    ("温州", "医用耗材灭菌中心", "sterilisation", "330303", "", "inf dental"),
    ("温州", "医疗器械CRO", "cro", "330304", "", "ivd bio"),
    ("丽水", "医疗器械孵化器", "incubator", "331102-P01", "", "aes rehab img ivd"),
    ("丽水", "美丽健康产业基金", "fund", "331102", "", "aes rehab"),
    ("龙泉", "一次性耗材灭菌中心", "sterilisation", "331181", "", "inf"),
    ("缙云", "助行器械检测中心", "testing", "331122", "CMA", "rehab"),
    ("玉环", "医用耗材灭菌中心", "sterilisation", "331083", "", "inf"),
    ("德清", "齿科数字化加工中心", "machining", "330521", "", "dental bio"),
    ("嘉兴", "体外诊断CMO", "cmo", "330402", "", "ivd"),
    ("上海", "医疗器械CRO", "cro", "310115", "", "endo robot img bio"),
    ("苏州", "医疗器械CDMO平台", "cdmo", "320576", "", "endo ivd bio"),
    ("深圳", "医疗电子CMO", "cmo", "440306", "", "wear rehab endo"),
    ("湛江", "医疗器械检验实验室", "testing", "440811-P01", "CMA", "inf rehab"),
]

# ---------------------------------------------------------------------------
# Enterprises
# ---------------------------------------------------------------------------

# Named by the seeds: (id, name, region, note, produced segments (only as stated)).
SEED_ENTERPRISES = [
    ("E0001", "浙江医准智能科技有限公司", "331100",
     "seed 003: 取得丽水首张第三类医疗器械注册证（肋骨骨折CT图像辅助检测软件）", ["img.ai_software"]),
    ("E0002", "丽水志犇医疗器械有限公司", "331122", "seed 003: 缙云助行器械产业制造基地", ["rehab.walking_aid"]),
    ("E0003", "龙泉鹤思", "331181", "seed 003 (short name as given there): 受托山东威高生产注输器械", ["inf.infusion_set"]),
    ("E0004", "山东威高", "370000", "seed 003 (short name as given there): 委托龙泉鹤思生产注输器械", ["inf.infusion_set"]),
    ("E0005", "凡知医疗科技", "331100", "seed 003 (short name as given there): 丽水落地医疗器械项目", []),
    ("E0006", "艾瑞可医疗美容器械科技", "331100", "seed 003 (short name as given there): 丽水落地医疗器械项目（医疗美容）", []),
    ("E0007", "众磊医疗科技", "331100", "seed 003 (short name as given there): 丽水落地医疗器械项目", []),
]

# Clusters of invented enterprises: (county, track, [(primary segment, count)], park codes and shares)
# Tonglu (China's endoscope town) has many rigid-endoscope makers but no local
# CMOS-sensor, fibre-bundle or absorbable-suture maker, and a single maker of
# single-use scopes / ultrasonic scalpels: the gaps the engine should find.
CLUSTERS = [
    ("330122", "endo", [("endo.rigid_scope", 20), ("endo.laparoscopic_instr", 15), ("endo.trocar", 7), ("endo.camera_system", 8),
                        ("endo.light_source", 6), ("endo.electrosurgical", 3), ("endo.stapler", 3), ("endo.rod_lens", 4),
                        ("endo.optical_lens", 3), ("endo.optical_coating", 2), ("endo.precision_steel", 6), ("endo.ultrasonic_scalpel", 1),
                        ("endo.ligation_clip", 1), ("endo.single_use_scope", 1), ("endo.gi_scope", 2), ("endo.distribution", 5),
                        ("endo.repair", 3), ("endo.export", 2)], [("330122-P01", 0.45)]),
    ("330122", "ivd", [("ivd.poct_reagent", 4), ("ivd.home_test", 2), ("ivd.poct_analyzer", 1)], [("330122-P02", 0.7)]),
    ("330122", "aes", [("aes.liposuction", 5), ("aes.water_light", 1), ("aes.laser_device", 1), ("aes.rf_device", 1)], [("330122-P01", 0.4)]),
    ("330122", "rehab", [("rehab.training_equip", 2), ("rehab.nursing_bed", 1), ("rehab.oximeter", 1), ("rehab.glucose_meter", 1)], [("330122-P02", 0.4)]),
    ("330122", "robot", [("robot.rehab_robot", 1)], []),
    ("330122", "inf", [("inf.dressings", 2)], [("330122-P03", 1.0)]),
    ("330602", "img", [("img.ultrasound", 3), ("img.dr", 2), ("img.ai_software", 3), ("img.pacs", 1), ("img.flat_detector", 1)], [("330602-P01", 0.5)]),
    ("330602", "ivd", [("ivd.molecular_reagent", 3), ("ivd.genetic_testing", 2), ("ivd.poct_reagent", 3), ("ivd.immunoassay_reagent", 2),
                       ("ivd.clia_analyzer", 1), ("ivd.pcr_instrument", 1)], [("330602-P01", 0.4)]),
    ("330602", "bci", [("bci.noninvasive", 2), ("bci.eeg_chip", 1), ("bci.electrode", 1), ("bci.neuromodulation", 1)], [("330602-P01", 0.6)]),
    ("330602", "robot", [("robot.laparoscopic_robot", 1), ("robot.ortho_robot", 1), ("robot.robot_instruments", 1)], [("330602-P01", 0.5)]),
    ("330602", "wear", [("wear.ecg_patch", 2), ("wear.smart_watch", 1)], [("330602-P01", 0.5)]),
    ("330602", "inf", [("inf.dressings", 4), ("inf.syringe", 2), ("inf.infusion_set", 2)], [("330602-P02", 0.6)]),
    ("330602", "bio", [("bio.absorbable_implant", 1), ("bio.cardio_stent", 1)], [("330602-P02", 0.5)]),
    ("330108", "ivd", [("ivd.poct_analyzer", 3), ("ivd.poct_reagent", 4), ("ivd.immunoassay_reagent", 3), ("ivd.molecular_reagent", 2),
                       ("ivd.clia_analyzer", 2), ("ivd.microfluidic_chip", 1)], []),
    ("330108", "img", [("img.ai_software", 4)], []),
    ("330108", "wear", [("wear.cgm", 1), ("wear.ecg_patch", 2), ("wear.ble_soc", 1), ("wear.health_platform", 2)], []),
    ("330108", "bci", [("bci.noninvasive", 1), ("bci.algorithm", 2)], []),
    ("330110", "ivd", [("ivd.antibody_antigen", 3), ("ivd.enzyme", 2), ("ivd.primer_probe", 1), ("ivd.biochem_reagent", 2)], []),
    ("330110", "bio", [("bio.bone_graft", 1), ("bio.pla_pga", 1)], []),
    ("330110", "robot", [("robot.ortho_robot", 1), ("robot.vascular_robot", 1), ("robot.force_sensor", 1)], []),
    ("330113", "ivd", [("ivd.magnetic_beads", 1), ("ivd.nc_membrane", 1), ("ivd.immunoassay_reagent", 1), ("ivd.poct_reagent", 2)], []),
    ("330113", "inf", [("inf.blood_collection", 1)], []),
    ("330114", "inf", [("inf.catheter", 2), ("inf.infusion_set", 1), ("inf.prefilled_syringe", 1)], []),
    ("330114", "ivd", [("ivd.biochem_reagent", 1)], []),
    ("330114", "bio", [("bio.cardio_stent", 1), ("bio.nitinol", 1)], []),
    ("330106", "bci", [("bci.invasive", 1), ("bci.flexible_electrode", 1), ("bci.algorithm", 1)], []),
    ("330106", "robot", [("robot.laparoscopic_robot", 1), ("robot.controller", 1)], []),
    ("330109", "rehab", [("rehab.training_equip", 2), ("rehab.walking_aid", 1), ("rehab.oxygen", 2), ("rehab.nursing_bed", 1)], []),
    ("330109", "robot", [("robot.servo_motor", 1), ("robot.exoskeleton", 1)], []),
    ("330111", "endo", [("endo.laparoscopic_instr", 3), ("endo.trocar", 1), ("endo.precision_steel", 2), ("endo.medical_polymer", 1)], []),
    ("330102", "endo", [("endo.distribution", 1)], []),
    ("330102", "aes", [("aes.filler", 1)], []),
    ("330105", "wear", [("wear.health_platform", 1)], []),
    ("330105", "rehab", [("rehab.remote_care", 1)], []),
    ("330112", "aes", [("aes.collagen", 1)], []),
    ("330112", "rehab", [("rehab.physio", 1)], []),
    ("330182", "inf", [("inf.pvc_tpe", 1)], []),
    ("330212", "img", [("img.mri", 2), ("img.magnet", 1), ("img.rf_coil", 2), ("img.ultrasound", 1), ("img.ct", 1)], []),
    ("330212", "endo", [("endo.cmos_sensor", 1)], []),
    ("330281", "endo", [("endo.optical_lens", 4), ("endo.rod_lens", 1), ("endo.optical_coating", 2), ("endo.fiber_bundle", 1)], []),
    ("330282", "rehab", [("rehab.bp_monitor", 2), ("rehab.oxygen", 1), ("rehab.physio", 2), ("rehab.nursing_bed", 1)], []),
    ("330282", "wear", [("wear.smart_watch", 1)], []),
    ("330206", "robot", [("robot.harmonic_reducer", 1), ("robot.servo_motor", 1)], []),
    ("330206", "img", [("img.xray_tube", 1)], []),
    ("330211", "bio", [("bio.peek", 1), ("bio.ti_alloy", 1)], []),
    ("330211", "endo", [("endo.medical_polymer", 1)], []),
    ("330203", "inf", [("inf.dressings", 1)], []),
    ("330203", "ivd", [("ivd.distribution", 1)], []),
    ("330205", "inf", [("inf.pp_pe", 1)], []),
    ("330304", "ivd", [("ivd.poct_reagent", 2), ("ivd.biochem_reagent", 1)], []),
    ("330303", "inf", [("inf.syringe", 2), ("inf.infusion_set", 2), ("inf.needle_tube", 1), ("inf.catheter", 1)], []),
    ("330302", "img", [("img.transducer", 1)], []),
    ("330302", "endo", [("endo.electrosurgical", 1)], []),
    ("330382", "robot", [("robot.servo_motor", 1), ("robot.controller", 1)], []),
    ("330381", "wear", [("wear.flexible_pcb", 1)], []),
    ("330381", "inf", [("inf.pp_pe", 1)], []),
    ("330326", "inf", [("inf.dressings", 1)], []),
    ("330521", "dental", [("dental.zirconia", 2), ("dental.denture", 2), ("dental.resin", 1)], []),
    ("330521", "bio", [("bio.bone_graft", 1), ("bio.printed_implant", 1)], []),
    ("330502", "rehab", [("rehab.nursing_bed", 1), ("rehab.walking_aid", 1)], []),
    ("330523", "rehab", [("rehab.nursing_bed", 2), ("rehab.walking_aid", 1)], []),
    ("330522", "rehab", [("rehab.battery", 2)], []),
    ("330402", "ivd", [("ivd.molecular_reagent", 2), ("ivd.pcr_instrument", 1)], []),
    ("330402", "wear", [("wear.mems_sensor", 1)], []),
    ("330421", "wear", [("wear.flexible_pcb", 1)], []),
    ("330421", "img", [("img.flat_detector", 1)], []),
    ("330421", "endo", [("endo.led_module", 1)], []),
    ("330481", "bio", [("bio.hernia_mesh", 1)], []),
    ("330481", "inf", [("inf.pvc_tpe", 1)], []),
    ("330483", "inf", [("inf.dressings", 1)], []),
    ("330482", "robot", [("robot.harmonic_reducer", 1)], []),
    ("330603", "inf", [("inf.dressings", 2)], []),
    ("330603", "bio", [("bio.hernia_mesh", 1)], []),
    ("330604", "bio", [("bio.pla_pga", 1)], []),
    ("330604", "ivd", [("ivd.enzyme", 1)], []),
    ("330624", "bio", [("bio.ortho_implant", 1)], []),
    ("330624", "endo", [("endo.precision_steel", 1)], []),
    ("330681", "endo", [("endo.stapler", 1)], []),
    ("330683", "rehab", [("rehab.physio", 1)], []),
    ("330782", "inf", [("inf.dressings", 2), ("inf.syringe", 1)], []),
    ("330784", "rehab", [("rehab.walking_aid", 3), ("rehab.frame", 1), ("rehab.training_equip", 1)], []),
    ("330702", "ivd", [("ivd.poct_reagent", 1)], []),
    ("330802", "bio", [("bio.pla_pga", 1)], []),
    ("330802", "inf", [("inf.pvc_tpe", 1)], []),
    ("331003", "inf", [("inf.infusion_set", 2), ("inf.syringe", 1), ("inf.blood_collection", 1)], []),
    ("331083", "inf", [("inf.infusion_set", 3), ("inf.syringe", 2), ("inf.catheter", 1), ("inf.needle_tube", 1)], []),
    ("331002", "inf", [("inf.prefilled_syringe", 1), ("inf.pharma_packaging", 1)], []),
    ("331081", "rehab", [("rehab.oxygen", 1)], []),
    ("331081", "robot", [("robot.servo_motor", 1)], []),
    ("331081", "inf", [("inf.pump_motor", 1)], []),
    ("331082", "inf", [("inf.dressings", 1)], []),
    ("331102", "aes", [("aes.filler", 2), ("aes.laser_device", 1), ("aes.hyaluronic_acid", 1), ("aes.rf_device", 1), ("aes.thread_lift", 1)],
     [("331102-P02", 0.6)]),
    ("331102", "img", [("img.ai_software", 1)], [("331102-P01", 1.0)]),
    ("331102", "ivd", [("ivd.poct_reagent", 2)], [("331102-P01", 1.0)]),
    ("331102", "rehab", [("rehab.training_equip", 1)], [("331102-P01", 1.0)]),
    ("331102", "dental", [("dental.denture", 2), ("dental.zirconia", 1)], []),
    ("331102", "inf", [("inf.infusion_pump", 1)], [("331102-P01", 1.0)]),
    ("330108", "inf", [("inf.infusion_pump", 1)], []),
    ("330108", "dental", [("dental.scanner", 1)], []),
    ("330108", "rehab", [("rehab.glucose_strip", 1), ("rehab.glucose_meter", 1)], []),
    ("330102", "img", [("img.imaging_center", 1)], []),
    ("330102", "dental", [("dental.distribution", 1)], []),
    ("330521", "dental", [("dental.implant", 1)], []),
    ("310115", "dental", [("dental.aligner", 1), ("dental.implant", 1)], []),
    ("310115", "aes", [("aes.plla", 1)], []),
    ("330203", "dental", [("dental.chair", 1)], []),
    ("320576", "bio", [("bio.bioceramic", 1)], []),
    ("331122", "rehab", [("rehab.walking_aid", 3), ("rehab.frame", 1)], []),
    ("331122", "inf", [("inf.pharma_packaging", 2)], [("331122-P01", 1.0)]),
    ("331181", "inf", [("inf.infusion_set", 2), ("inf.syringe", 1), ("inf.dressings", 1)], []),
    ("331124", "ivd", [("ivd.poct_reagent", 1)], []),
    ("331124", "dental", [("dental.denture", 1)], []),
    ("331127", "aes", [("aes.filler", 1)], []),
    ("331121", "dental", [("dental.denture", 1)], []),
    ("310115", "endo", [("endo.cmos_sensor", 2), ("endo.image_processor", 1), ("endo.single_use_scope", 1), ("endo.gi_scope", 1)], []),
    ("310115", "robot", [("robot.laparoscopic_robot", 2), ("robot.vascular_robot", 1), ("robot.robot_instruments", 1), ("robot.force_sensor", 1)], []),
    ("310115", "ivd", [("ivd.clia_analyzer", 1), ("ivd.immunoassay_reagent", 1), ("ivd.antibody_antigen", 2)], []),
    ("310115", "img", [("img.mri", 1), ("img.ct", 1)], []),
    ("310115", "bio", [("bio.cardio_stent", 2)], []),
    ("310112", "robot", [("robot.harmonic_reducer", 1), ("robot.servo_motor", 1)], []),
    ("310112", "endo", [("endo.fiber_bundle", 1), ("endo.absorbable_suture", 1)], []),
    ("310112", "ivd", [("ivd.microfluidic_chip", 1)], []),
    ("310114", "endo", [("endo.led_module", 1), ("endo.fiber_bundle", 1)], []),
    ("310114", "ivd", [("ivd.pcr_instrument", 1)], []),
    ("320576", "endo", [("endo.cmos_sensor", 1), ("endo.fiber_bundle", 2), ("endo.optical_lens", 1), ("endo.bending_section", 1)], []),
    ("320576", "ivd", [("ivd.antibody_antigen", 2), ("ivd.enzyme", 1), ("ivd.microfluidic_chip", 1), ("ivd.magnetic_beads", 1)], []),
    ("320576", "bio", [("bio.nitinol", 1)], []),
    ("320505", "endo", [("endo.gi_scope", 1), ("endo.broncho_scope", 1), ("endo.single_use_scope", 1)], []),
    ("320505", "ivd", [("ivd.optical_detector", 1)], []),
    ("320505", "img", [("img.flat_detector", 1)], []),
    ("320506", "robot", [("robot.harmonic_reducer", 1), ("robot.force_sensor", 1), ("robot.ortho_robot", 1)], []),
    ("320583", "endo", [("endo.led_module", 1)], []),
    ("320583", "wear", [("wear.flexible_pcb", 1)], []),
    ("320583", "inf", [("inf.pp_pe", 1)], []),
    ("320214", "wear", [("wear.mems_sensor", 2)], []),
    ("320214", "endo", [("endo.image_processor", 1)], []),
    ("340176", "img", [("img.ct", 1), ("img.flat_detector", 1), ("img.xray_tube", 1)], []),
    ("340176", "wear", [("wear.ppg_module", 1)], []),
    ("440305", "endo", [("endo.cmos_sensor", 2), ("endo.image_processor", 1)], []),
    ("440305", "wear", [("wear.ble_soc", 2), ("wear.ppg_module", 1), ("wear.cgm", 1), ("wear.sleep_monitor", 1)], []),
    ("440305", "ivd", [("ivd.poct_analyzer", 1)], []),
    ("440305", "img", [("img.ultrasound", 2)], []),
    ("440306", "endo", [("endo.led_module", 2)], []),
    ("440306", "rehab", [("rehab.battery", 1), ("rehab.bp_monitor", 1), ("rehab.biosensor", 1)], []),
    ("440306", "wear", [("wear.smart_watch", 1)], []),
    ("440306", "aes", [("aes.laser_source", 1), ("aes.rf_module", 1)], []),
    ("440307", "robot", [("robot.servo_motor", 2)], []),
    ("440307", "endo", [("endo.single_use_scope", 1)], []),
    ("110108", "bci", [("bci.invasive", 1), ("bci.noninvasive", 2), ("bci.eeg_chip", 1), ("bci.flexible_electrode", 1)], []),
    ("110108", "robot", [("robot.ortho_robot", 1), ("robot.neuro_robot", 1), ("robot.optical_tracker", 1)], []),
    ("110108", "img", [("img.ai_software", 2)], []),
    ("110114", "robot", [("robot.ortho_robot", 1)], []),
    ("110114", "ivd", [("ivd.primer_probe", 1)], []),
    ("440811", "inf", [("inf.dressings", 1), ("inf.syringe", 1)], [("440811-P01", 1.0)]),
]

# Segments a primary producer may also make (secondary products); weak or missing
# links are kept out so that their producer counts stay as designed.
SECONDARY_BLOCKLIST = {"endo.cmos_sensor", "endo.fiber_bundle", "endo.single_use_scope", "endo.ultrasonic_scalpel",
                       "endo.ligation_clip", "endo.absorbable_suture", "ivd.antibody_antigen"}
SECONDARY = {
    "endo.rigid_scope": ["endo.light_source", "endo.camera_system", "endo.laparoscopic_instr", "endo.repair", "endo.export"],
    "endo.laparoscopic_instr": ["endo.trocar", "endo.electrosurgical", "endo.stapler", "endo.export"],
    "endo.trocar": ["endo.laparoscopic_instr", "endo.export"],
    "endo.camera_system": ["endo.light_source", "endo.rigid_scope", "endo.repair"],
    "endo.light_source": ["endo.camera_system", "endo.repair"],
    "endo.rod_lens": ["endo.optical_lens", "endo.optical_coating"],
    "endo.optical_lens": ["endo.rod_lens", "endo.optical_coating"],
    "endo.gi_scope": ["endo.broncho_scope", "endo.repair"],
    "endo.precision_steel": ["aes.liposuction", "robot.robot_instruments"],
    "endo.distribution": ["endo.repair", "endo.export"],
    "ivd.poct_reagent": ["ivd.home_test", "ivd.poct_analyzer"],
    "ivd.poct_analyzer": ["ivd.poct_reagent"],
    "ivd.immunoassay_reagent": ["ivd.clia_analyzer", "ivd.biochem_reagent"],
    "ivd.clia_analyzer": ["ivd.immunoassay_reagent"],
    "ivd.molecular_reagent": ["ivd.pcr_instrument", "ivd.genetic_testing"],
    "ivd.genetic_testing": ["ivd.third_party_lab"],
    "ivd.enzyme": ["ivd.primer_probe"],
    "img.ultrasound": ["img.transducer", "img.service"],
    "img.mri": ["img.service", "img.rf_coil"],
    "img.ai_software": ["img.pacs"],
    "img.dr": ["img.service"],
    "robot.laparoscopic_robot": ["robot.robot_instruments", "robot.service"],
    "robot.ortho_robot": ["robot.service", "robot.optical_tracker"],
    "robot.servo_motor": ["robot.controller"],
    "aes.liposuction": ["aes.water_light", "aes.distribution"],
    "aes.filler": ["aes.hyaluronic_acid", "aes.distribution"],
    "aes.laser_device": ["aes.rf_device"],
    "rehab.training_equip": ["rehab.physio", "robot.rehab_robot"],
    "rehab.walking_aid": ["rehab.nursing_bed", "rehab.home_retail"],
    "rehab.nursing_bed": ["rehab.walking_aid"],
    "rehab.bp_monitor": ["rehab.oximeter", "rehab.home_retail"],
    "rehab.oxygen": ["rehab.physio", "rehab.home_retail"],
    "rehab.physio": ["rehab.oxygen"],
    "inf.infusion_set": ["inf.syringe", "inf.export", "inf.hospital_supply"],
    "inf.syringe": ["inf.infusion_set", "inf.export"],
    "inf.dressings": ["inf.export"],
    "inf.catheter": ["inf.infusion_set"],
    "dental.denture": ["dental.filling", "dental.clinic"],
    "dental.zirconia": ["dental.resin"],
    "bio.cardio_stent": ["inf.catheter"],
    "bio.bone_graft": ["bio.absorbable_implant"],
    "bci.noninvasive": ["bci.neurorehab", "bci.algorithm"],
    "wear.ecg_patch": ["wear.health_platform", "rehab.ecg_monitor"],
    "wear.smart_watch": ["wear.health_platform", "wear.sleep_monitor"],
    "wear.cgm": ["wear.health_platform"],
}

# Place names used in invented names.
PLACE_BY_COUNTY = {"330122": "桐庐", "330182": "建德", "330281": "余姚", "330282": "慈溪", "330381": "瑞安", "330382": "乐清",
                   "330326": "平阳", "330421": "嘉善", "330481": "海宁", "330482": "平湖", "330483": "桐乡", "330521": "德清",
                   "330522": "长兴", "330523": "安吉", "330624": "新昌", "330681": "诸暨", "330683": "嵊州", "330782": "义乌",
                   "330784": "永康", "331081": "温岭", "331082": "临海", "331083": "玉环", "331121": "青田", "331122": "缙云",
                   "331124": "松阳", "331127": "景宁", "331181": "龙泉", "320583": "昆山"}
PLACE_BY_PREFIX = {"3301": "杭州", "3302": "宁波", "3303": "温州", "3304": "嘉兴", "3305": "湖州", "3306": "绍兴", "3307": "金华",
                   "3308": "衢州", "3310": "台州", "3311": "丽水", "3101": "上海", "3205": "苏州", "3202": "无锡", "3401": "合肥",
                   "4403": "深圳", "4408": "湛江", "1101": "北京"}

BRAND_CHARS = "明澈瑞康华欣锐泰维光视晶达睿恒朗润煜鑫宏嘉禾越安博捷拓卓迈昕弘德正源诺星辰启航元益和清景沐旭晟祺哲航岚澜峰屹瀚瞳曦"
WORDS = {
    ("endo", U): ["光学", "光电", "精密机械", "芯视传感", "医用材料"],
    ("endo", M): ["内镜", "医疗器械", "医疗科技", "微创医疗", "内窥镜"],
    ("endo", D): ["医疗器械贸易", "医疗设备服务", "医疗供应链"],
    ("ivd", U): ["生物科技", "生物技术", "生物材料"],
    ("ivd", M): ["生物科技", "诊断技术", "医学检验技术", "生物医药"],
    ("ivd", D): ["医学检验", "医疗供应链"],
    ("robot", U): ["精密传动", "智能装备", "传感技术", "电机"],
    ("robot", M): ["医疗机器人", "智能医疗", "手术机器人"],
    ("robot", D): ["医疗技术服务"],
    ("aes", U): ["光电技术", "生物科技", "新材料"],
    ("aes", M): ["医疗美容器械", "美容科技", "医疗科技"],
    ("aes", D): ["医美供应链"],
    ("rehab", U): ["新能源", "金属制品", "传感技术"],
    ("rehab", M): ["康复器材", "医疗器械", "健康科技", "电子"],
    ("rehab", D): ["健康科技", "数字医疗"],
    ("img", U): ["电子", "超导技术", "射线技术", "声学"],
    ("img", M): ["医疗影像", "医疗系统", "智能科技", "数字医疗"],
    ("img", D): ["医疗设备服务"],
    ("dental", U): ["齿科材料", "新材料"],
    ("dental", M): ["齿科", "义齿", "口腔医疗"],
    ("dental", D): ["齿科贸易"],
    ("inf", U): ["塑化", "医用材料", "精密管材", "电机", "药用包装"],
    ("inf", M): ["医疗用品", "医用器材", "卫生材料", "医疗器械"],
    ("inf", D): ["医疗用品贸易"],
    ("bio", U): ["生物材料", "新材料", "金属材料"],
    ("bio", M): ["医疗器械", "生物医学", "医用科技"],
    ("bio", D): ["医疗供应链"],
    ("bci", U): ["脑科技", "微电子", "智能科技"],
    ("bci", M): ["脑机科技", "神经科技", "脑科技"],
    ("bci", D): ["神经康复"],
    ("wear", U): ["微电子", "传感技术", "电子"],
    ("wear", M): ["智能穿戴", "健康科技", "医疗电子"],
    ("wear", D): ["数字健康", "健康科技"],
}

CLASS3_SEGMENTS = {"endo.stapler", "endo.ultrasonic_scalpel", "endo.ligation_clip", "endo.absorbable_suture", "endo.electrosurgical",
                   "robot.laparoscopic_robot", "robot.ortho_robot", "robot.neuro_robot", "robot.vascular_robot", "aes.filler",
                   "aes.thread_lift", "aes.laser_device", "img.mri", "img.ct", "img.ai_software", "dental.implant", "inf.infusion_set",
                   "inf.syringe", "inf.catheter", "inf.infusion_pump", "inf.prefilled_syringe", "bio.ortho_implant", "bio.cardio_stent",
                   "bio.bone_graft", "bio.absorbable_implant", "bio.printed_implant", "bio.hernia_mesh", "bci.invasive",
                   "bci.neuromodulation", "ivd.molecular_reagent", "ivd.immunoassay_reagent", "wear.cgm"}

TAGS = ["high_tech", "specialised", "little_giant", "listed", "chain_leader", "foreign_funded", "startup"]


def place_of(county):
    if county in PLACE_BY_COUNTY:
        return PLACE_BY_COUNTY[county]
    return PLACE_BY_PREFIX[county[:4]]


def county_of(region):
    return region.split("-")[0]


def generate_enterprises(rng, segments):
    enterprises, produces = [], []
    used_names = set()
    for eid, name, region, note, segs in SEED_ENTERPRISES:
        enterprises.append({"id": eid, "name": name, "region": region, "illustrative": "0", "note": note})
        for s in segs:
            produces.append({"enterprise": eid, "segment": s, "share": ""})
    n = len(SEED_ENTERPRISES)
    for county, track, items, parks in CLUSTERS:
        for primary, count in items:
            for _ in range(count):
                n += 1
                eid = "E%04d" % n
                region = county
                r = rng.random()
                for park, share in parks:
                    if r < share:
                        region = park
                        break
                    r -= share
                pos = segments[primary]["position"]
                ent = invent_attributes(rng, eid, region, track, primary, pos, used_names)
                enterprises.append(ent)
                produces.extend(invent_products(rng, eid, primary, pos))
    mark_chain_leaders(enterprises, produces)
    return enterprises, produces


def invent_name(rng, county, track, pos, big, used):
    place = place_of(county)
    if county.startswith("33") and big and rng.random() < 0.3:
        place = "浙江"
    for _ in range(1000):
        brand = "".join(rng.sample(BRAND_CHARS, 2))
        word = rng.choice(WORDS[(track, pos)])
        if big:
            suffix = "股份有限公司"
        else:
            suffix = "有限责任公司" if rng.random() < 0.12 else "有限公司"
        name = place + "示例" + brand + word + suffix
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("could not invent a unique name")


def invent_attributes(rng, eid, region, track, primary, pos, used_names):
    founded = THIS_YEAR - int(min(35, rng.expovariate(1 / 11.0)))
    age = THIS_YEAR - founded
    startup = founded >= 2020 and rng.random() < 0.6
    mu = {U: math.log(2600), M: math.log(3000), D: math.log(1500)}[pos]
    if not region.startswith("33"):
        mu += 0.7            # the firms elsewhere are the stronger investment targets
    revenue = rng.lognormvariate(mu, 1.35) * min(1.0, (age + 1) / 8.0)
    if startup:
        revenue *= 0.4
    revenue = max(30.0, min(revenue, 400000.0))
    revenue = round(revenue, 1)
    big = revenue > 60000
    tags = []
    if pos != D and rng.random() < (0.2 + (0.35 if revenue > 3000 else 0.0) + (0.2 if startup else 0.0)):
        tags.append("high_tech")
    if "high_tech" in tags and revenue > 1500 and rng.random() < 0.3:
        tags.append("specialised")
        if revenue > 8000 and rng.random() < 0.3:
            tags.append("little_giant")
    if revenue > 80000 and rng.random() < 0.6:
        tags.append("listed")
    if rng.random() < 0.03:
        tags.append("foreign_funded")
    if startup and revenue < 1500:
        tags.append("startup")
    employees = max(3, int(revenue / rng.uniform(45, 95)))
    device = pos == M
    class2 = class3 = 0
    if device:
        class2 = int(rng.lognormvariate(math.log(3 + revenue / 4000), 0.8))
        if primary in CLASS3_SEGMENTS:
            class3 = int(rng.lognormvariate(math.log(1 + revenue / 8000), 0.9))
    patents = int(rng.lognormvariate(math.log(4 + revenue / 400), 0.8)) if pos != D else rng.randint(0, 3)
    if pos == D:
        rd = rng.uniform(0.003, 0.02)
    elif startup:
        rd = rng.uniform(0.15, 0.45)
    else:
        rd = rng.uniform(0.025, 0.12)
    return {
        "id": eid, "name": invent_name(rng, county_of(region), track, pos, big, used_names), "region": region, "uscc": "",
        "founded": str(founded), "above_scale": "1" if revenue >= 2000 else "0", "revenue": fmt(revenue),
        "employees": str(employees), "tags": ";".join(t for t in TAGS if t in tags), "class2_certs": str(class2),
        "class3_certs": str(class3), "patents": str(patents), "rd_ratio": fmt(round(rd, 3)), "illustrative": "1", "note": "",
        "_track": track, "_revenue": revenue,
    }


def invent_products(rng, eid, primary, pos):
    options = [s for s in SECONDARY.get(primary, []) if s not in SECONDARY_BLOCKLIST]
    k = min(len(options), rng.choice([0, 0, 1, 1, 1, 2, 3]))
    extra = sorted(rng.sample(options, k)) if k else []
    if not extra:
        return [{"enterprise": eid, "segment": primary, "share": "1"}]
    main = round(rng.uniform(0.5, 0.85), 2)
    rest = 1.0 - main
    weights = [rng.uniform(0.3, 1.0) for _ in extra]
    total = sum(weights) * rng.uniform(1.0, 1.15)      # shares may sum to a little under 1
    rows = [{"enterprise": eid, "segment": primary, "share": fmt(main)}]
    for s, w in zip(extra, weights):
        share = max(0.01, math.floor(rest * w / total * 100) / 100)
        rows.append({"enterprise": eid, "segment": s, "share": fmt(share)})
    return rows


# (county, track, revenue floor in 万元): the largest invented device maker of the
# cluster is its declared chain leader, grown to at least the floor.
LEADERS = [("330122", "endo", 152000), ("330602", "img", 68000), ("330602", "inf", 56000), ("330108", "ivd", 120000),
           ("330212", "img", 210000), ("331083", "inf", 45000), ("330521", "dental", 32000), ("331122", "rehab", 26000),
           ("330303", "inf", 38000), ("310115", "endo", 260000), ("440305", "endo", 180000), ("310115", "robot", 95000)]


def mark_chain_leaders(enterprises, produces):
    primary = {}
    for p in produces:
        primary.setdefault(p["enterprise"], p["segment"])
    seg_pos = {s[0]: s[2] for s in SEGMENTS}
    for county, track, floor in LEADERS:
        cands = [e for e in enterprises if e["illustrative"] == "1" and county_of(e["region"]) == county and e["_track"] == track]
        devices = [e for e in cands if seg_pos[primary[e["id"]]] == M] or cands
        best = max(devices, key=lambda e: (e["_revenue"], e["id"]))
        if best["_revenue"] < floor:
            factor = floor / best["_revenue"]
            best["_revenue"] = float(floor)
            best["revenue"] = fmt(float(floor))
            best["employees"] = str(int(int(best["employees"]) * factor ** 0.8))
            best["patents"] = str(int(int(best["patents"]) * factor ** 0.5) + 20)
            best["above_scale"] = "1"
            best["founded"] = str(min(int(best["founded"]), 2013 - floor // 25000))
            if seg_pos[primary[best["id"]]] == M:
                best["class2_certs"] = str(max(int(best["class2_certs"]), 25))
        tags = set(best["tags"].split(";")) if best["tags"] else set()
        tags |= {"chain_leader", "high_tech"}
        tags.discard("startup")
        if best["_revenue"] >= 150000:
            tags.add("listed")
        best["tags"] = ";".join(t for t in TAGS if t in tags)


def fmt(x):
    if isinstance(x, float):
        s = ("%.4f" % x).rstrip("0").rstrip(".")
        return s if s else "0"
    return str(x)


# ---------------------------------------------------------------------------
# Relations
# ---------------------------------------------------------------------------

def producers_by_segment(produces):
    out = {}
    for p in produces:
        out.setdefault(p["segment"], []).append(p["enterprise"])
    return {k: sorted(set(v)) for k, v in out.items()}


def proximity(a, b):
    """Geographic weight between two region codes (county > city > province > YRD > elsewhere)."""
    a, b = county_of(a), county_of(b)
    if a == b:
        return 4.0
    if a[:4] == b[:4] and not a.endswith("0000"):
        return 2.5
    if a[:2] == b[:2]:
        return 1.6
    yrd = {"31", "32", "33", "34"}
    return 1.0 if a[:2] in yrd and b[:2] in yrd else 0.7


def generate_trades(rng, enterprises, produces, supplies, target=360):
    ent = {e["id"]: e for e in enterprises}
    prod = producers_by_segment(produces)
    inputs = {}
    for f, t, w in supplies:
        inputs.setdefault(t, []).append((f, w))
    segs_of = {}
    for p in produces:
        segs_of.setdefault(p["enterprise"], []).append(p["segment"])
    keys, rows = set(), []

    def add(sup, cus, w):
        if sup != cus and (sup, cus) not in keys:
            keys.add((sup, cus))
            rows.append({"supplier": sup, "customer": cus, "weight": fmt(round(w, 2))})
            return True
        return False

    # Tonglu's camera-system and scope makers already buy CMOS sensors and fibre
    # bundles from outside the county (the gap is real, the trade exists).
    tonglu_buyers = sorted(e for e in segs_of if county_of(ent[e]["region"]) == "330122" and ent[e]["illustrative"] == "1"
                           and set(segs_of[e]) & {"endo.camera_system", "endo.gi_scope", "endo.single_use_scope", "endo.rigid_scope"})
    for cus in tonglu_buyers:
        needed = {f for f, _ in inputs_for(inputs, segs_of[cus])}
        need = [s for s in ("endo.cmos_sensor", "endo.fiber_bundle") if s in needed]
        for s in need:
            if rng.random() < 0.45:
                add(rng.choice(prod[s]), cus, rng.uniform(0.4, 1.0))

    customers = sorted(e for e in segs_of if ent[e]["illustrative"] == "1")
    rounds = 0
    while len(rows) < target and rounds < 10:
        rounds += 1
        for cus in customers:
            if len(rows) >= target:
                break
            if rng.random() < 0.45:
                continue
            cands = []
            for f, w in inputs_for(inputs, segs_of[cus]):
                for sup in prod.get(f, []):
                    if sup != cus and ent[sup]["illustrative"] == "1":
                        cands.append((sup, w * proximity(ent[sup]["region"], ent[cus]["region"])))
            if not cands:
                continue
            sup = weighted_choice(rng, cands)
            add(sup, cus, rng.uniform(0.2, 1.0))
    return rows


def inputs_for(inputs, segs):
    out = []
    for s in sorted(segs):
        out.extend(sorted(inputs.get(s, [])))
    return out


def weighted_choice(rng, items):
    total = sum(w for _, w in items)
    r = rng.uniform(0, total)
    for item, w in items:
        r -= w
        if r <= 0:
            return item
    return items[-1][0]


def generate_researches(rng):
    rows = []
    for iid, _, _, _, _, segs, _ in INSTITUTIONS:
        for i, s in enumerate(segs.split()):
            strength = 0.95 - 0.05 * i + rng.uniform(-0.1, 0.05)
            rows.append({"institution": iid, "segment": s, "strength": fmt(round(max(0.3, min(1.0, strength)), 2))})
    return rows


DEPARTMENT_OF = {
    "endo.rigid_scope": ["普通外科", "泌尿外科", "耳鼻咽喉科", "妇科"], "endo.gi_scope": ["消化内科"],
    "endo.broncho_scope": ["呼吸与危重症医学科"], "endo.single_use_scope": ["泌尿外科", "呼吸与危重症医学科"],
    "endo.camera_system": ["普通外科", "妇科"], "endo.light_source": ["普通外科"], "endo.laparoscopic_instr": ["普通外科", "妇科"],
    "endo.trocar": ["普通外科", "胸外科"], "endo.stapler": ["普通外科", "胸外科"], "endo.ligation_clip": ["普通外科"],
    "endo.absorbable_suture": ["普通外科", "妇科"], "endo.ultrasonic_scalpel": ["普通外科", "肝胆胰外科"],
    "endo.electrosurgical": ["普通外科", "泌尿外科"],
    "ivd.poct_reagent": ["急诊医学科", "检验科"], "ivd.immunoassay_reagent": ["检验科"], "ivd.molecular_reagent": ["检验科", "病理科"],
    "ivd.biochem_reagent": ["检验科"], "ivd.poct_analyzer": ["急诊医学科"], "ivd.clia_analyzer": ["检验科"],
    "ivd.pcr_instrument": ["检验科"], "ivd.genetic_testing": ["病理科", "检验科"], "ivd.home_test": ["全科医学科"],
    "robot.laparoscopic_robot": ["泌尿外科", "普通外科"], "robot.ortho_robot": ["骨科"], "robot.neuro_robot": ["神经外科"],
    "robot.vascular_robot": ["心血管内科"], "robot.rehab_robot": ["康复医学科"], "robot.exoskeleton": ["康复医学科"],
    "robot.robot_instruments": ["普通外科"],
    "aes.laser_device": ["皮肤科"], "aes.rf_device": ["皮肤科"], "aes.filler": ["整形外科"], "aes.liposuction": ["整形外科"],
    "aes.water_light": ["皮肤科"], "aes.thread_lift": ["整形外科"],
    "rehab.training_equip": ["康复医学科"], "rehab.walking_aid": ["康复医学科"], "rehab.nursing_bed": ["老年医学科"],
    "rehab.physio": ["康复医学科"], "rehab.oxygen": ["呼吸与危重症医学科"], "rehab.glucose_meter": ["内分泌科"],
    "rehab.oximeter": ["呼吸与危重症医学科"], "rehab.ecg_monitor": ["心血管内科"], "rehab.bp_monitor": ["心血管内科"],
    "rehab.glucose_strip": ["内分泌科"],
    "img.mri": ["放射科"], "img.ct": ["放射科"], "img.dr": ["放射科"], "img.ultrasound": ["超声医学科"],
    "img.ai_software": ["放射科"], "img.pacs": ["放射科"],
    "dental.denture": ["口腔科"], "dental.implant": ["口腔科"], "dental.aligner": ["口腔科"], "dental.scanner": ["口腔科"],
    "dental.filling": ["口腔科"], "dental.chair": ["口腔科"],
    "inf.infusion_set": ["护理部"], "inf.syringe": ["护理部"], "inf.infusion_pump": ["重症医学科"], "inf.catheter": ["重症医学科"],
    "inf.blood_collection": ["检验科"], "inf.dressings": ["护理部"], "inf.prefilled_syringe": ["护理部"],
    "bio.ortho_implant": ["骨科"], "bio.cardio_stent": ["心血管内科"], "bio.bone_graft": ["骨科"], "bio.absorbable_implant": ["骨科"],
    "bio.printed_implant": ["骨科"], "bio.hernia_mesh": ["普通外科"],
    "bci.noninvasive": ["神经内科", "康复医学科"], "bci.invasive": ["神经外科"], "bci.neurorehab": ["康复医学科"],
    "bci.neuromodulation": ["神经外科", "神经内科"],
    "wear.ecg_patch": ["心血管内科"], "wear.cgm": ["内分泌科"], "wear.smart_watch": ["心血管内科"],
    "wear.sleep_monitor": ["呼吸与危重症医学科"],
}


def generate_clinical(rng, segments):
    rows = []
    leaves = leaf_ids(segments)
    for hid, _, _, grade, ct, depts, focus, _ in HOSPITALS:
        chosen = []
        for track in focus.split(";"):
            mids = [s for s in leaves if s.startswith(track + ".") and s in DEPARTMENT_OF]
            k = min(len(mids), 4 if grade == T3A else 2)
            chosen.extend(rng.sample(mids, k))
        for track in ("ivd", "inf"):        # every hospital uses some reagents and consumables
            if track not in focus.split(";"):
                mids = [s for s in leaves if s.startswith(track + ".") and s in DEPARTMENT_OF]
                chosen.append(rng.choice(mids))
        key_depts = depts.split(";") if depts else []
        for s in sorted(set(chosen)):
            cands = DEPARTMENT_OF[s]
            dept = next((d for d in cands if d in key_depts), cands[0])
            demand = rng.uniform(0.4, 1.0) if grade == T3A else rng.uniform(0.2, 0.7)
            if ct == "1":
                strength = rng.uniform(0.55, 1.0) + (0.1 if dept in key_depts else 0.0)
            elif grade == T3A:
                strength = rng.uniform(0.2, 0.6)
            else:
                strength = 0.0 if rng.random() < 0.6 else rng.uniform(0.05, 0.3)
            rows.append({"hospital": hid, "segment": s, "department": dept, "demand": fmt(round(demand, 2)),
                         "strength": fmt(round(min(1.0, strength), 2))})
    return rows


SERVE_POSITIONS = {"testing": [M], "registration": [M], "cdmo": [M], "cro": [M], "cmo": [M], "cso": [M, D], "sterilisation": [M],
                   "machining": [U, M], "sales": [D, M], "fund": [M, U], "park": [U, M], "incubator": [M]}
STERILE = {"endo.single_use_scope", "endo.trocar", "endo.stapler", "endo.laparoscopic_instr", "endo.ligation_clip", "endo.absorbable_suture",
           "endo.ultrasonic_scalpel", "aes.liposuction", "aes.thread_lift", "inf.infusion_set", "inf.syringe", "inf.catheter",
           "inf.blood_collection", "inf.dressings", "inf.prefilled_syringe", "bio.hernia_mesh", "bio.absorbable_implant",
           "bio.cardio_stent", "dental.implant", "robot.robot_instruments"}
MACHINED = {"endo.precision_steel", "endo.rigid_scope", "endo.laparoscopic_instr", "endo.trocar", "aes.liposuction",
            "robot.robot_instruments", "robot.harmonic_reducer", "bio.ortho_implant", "bio.printed_implant", "dental.denture",
            "dental.implant", "img.rf_coil", "dental.zirconia"}


def generate_serves(rng, platforms, segments):
    rows = []
    leaves = leaf_ids(segments)
    for p in platforms:
        kind, tracks = p["kind"], p["_tracks"].split()
        cands = [s for s in leaves if s.split(".")[0] in tracks and segments[s]["position"] in SERVE_POSITIONS[kind]]
        if kind == "sterilisation":
            cands = [s for s in cands if s in STERILE]
        if kind == "machining":
            cands = [s for s in cands if s in MACHINED]
        k = min(len(cands), 12 if len(tracks) > 6 else 6)
        for s in sorted(rng.sample(cands, k)):
            rows.append({"platform": p["id"], "segment": s, "weight": fmt(round(rng.uniform(0.4, 1.0), 2))})
    return rows


def generate_cooperates(rng, enterprises, produces, hospitals_rows, institutions_rows, platforms, clinical, researches, serves):
    ent = {e["id"]: e for e in enterprises}
    rows, keys = [], set()

    def add(a, b, kind, w):
        if a != b and (a, b) not in keys and (b, a) not in keys:
            keys.add((a, b))
            rows.append({"from": a, "to": b, "kind": kind, "weight": fmt(round(w, 2))})

    # Known from the seeds and public facts.
    add("enterprise:E0004", "enterprise:E0003", "contract_manufacturing", 1.0)      # seed 003
    add("institution:U014", "hospital:H003", "hosted_by", 1.0)                     # seed 000
    add("institution:U012", "institution:U003", "branch_institute", 1.0)           # seed 003 (杭电丽水研究院)
    add("institution:U013", "institution:U001", "joint_centre", 1.0)               # seed 003
    add("institution:U032", "hospital:H035", "hosted_by", 1.0)                     # seed 003

    segs_of = {}
    for p in produces:
        segs_of.setdefault(p["enterprise"], []).append(p["segment"])
    hosp_by_seg, inst_by_seg, plat_by_seg = {}, {}, {}
    for c in clinical:
        if float(c["strength"] or 0) > 0.3:
            hosp_by_seg.setdefault(c["segment"], []).append((c["hospital"], float(c["strength"])))
    for r in researches:
        inst_by_seg.setdefault(r["segment"], []).append((r["institution"], float(r["strength"])))
    for s in serves:
        plat_by_seg.setdefault(s["segment"], []).append((s["platform"], float(s["weight"])))
    region = {}
    for h in hospitals_rows:
        region["hospital:" + h["id"]] = h["region"]
    for i in institutions_rows:
        region["institution:" + i["id"]] = i["region"]
    for p in platforms:
        region["platform:" + p["id"]] = p["region"]

    firms = sorted(e["id"] for e in enterprises if e["illustrative"] == "1" and e["id"] in segs_of)
    for eid in firms:
        e = ent[eid]
        if e["class2_certs"] in ("", "0") and e["class3_certs"] in ("", "0") and "high_tech" not in e["tags"]:
            continue
        r = rng.random()
        if r < 0.18:
            pool, kind, prefix = hosp_by_seg, "clinical_trial", "hospital:"
        elif r < 0.33:
            pool, kind, prefix = inst_by_seg, rng.choice(["joint_lab", "tech_transfer"]), "institution:"
        elif r < 0.45:
            pool, kind, prefix = plat_by_seg, "agreement", "platform:"
        else:
            continue
        cands = []
        for s in sorted(segs_of[eid]):
            for other, w in pool.get(s, []):
                cands.append((prefix + other, w * proximity(e["region"], region[prefix + other])))
        if cands:
            add("enterprise:" + eid, weighted_choice(rng, cands), kind, rng.uniform(0.4, 1.0))
    # Hospital - institution medical-engineering ties (医工结合).
    inst_ids = [i["id"] for i in institutions_rows]
    for h in hospitals_rows:
        if h["grade"] == T3A and rng.random() < 0.35:
            cands = [("institution:" + i, proximity(h["region"], region["institution:" + i])) for i in inst_ids]
            add("hospital:" + h["id"], weighted_choice(rng, cands), "medical_engineering", rng.uniform(0.4, 0.9))
    return rows


def generate_invests(rng, enterprises, platforms):
    rows, keys = [], set()
    funds = [p for p in platforms if p["kind"] == "fund" and p["illustrative"] == "1"]
    ill = [e for e in enterprises if e["illustrative"] == "1"]
    for f in funds:
        tracks = f["_tracks"].split()
        local = [e for e in ill if e["_track"] in tracks and proximity(e["region"], f["region"]) >= 2.5
                 and ("startup" in e["tags"] or "specialised" in e["tags"] or "high_tech" in e["tags"])]
        for e in sorted(rng.sample(local, min(len(local), 5)), key=lambda x: x["id"]):
            key = ("platform:" + f["id"], e["id"])
            if key not in keys:
                keys.add(key)
                rows.append({"investor": key[0], "investee": e["id"], "share": fmt(round(rng.uniform(0.03, 0.25), 3))})
    big = sorted((e for e in ill if e["_revenue"] > 20000), key=lambda e: e["id"])
    for b in big:
        small = [e for e in ill if e["_track"] == b["_track"] and e["id"] != b["id"] and e["_revenue"] < b["_revenue"] / 5]
        if not small or rng.random() < 0.35:
            continue
        e = weighted_choice(rng, [(x, proximity(x["region"], b["region"])) for x in small])
        key = ("enterprise:" + b["id"], e["id"])
        if key not in keys:
            keys.add(key)
            rows.append({"investor": key[0], "investee": e["id"], "share": fmt(round(rng.uniform(0.1, 0.7), 3))})
    return rows


# ---------------------------------------------------------------------------
# Assembly, checks, output
# ---------------------------------------------------------------------------

COLUMNS = {
    "regions": ["code", "name", "level", "parent", "note"],
    "tracks": ["id", "name", "name_en"],
    "segments": ["id", "track", "name", "position", "parent", "name_en"],
    "enterprises": ["id", "name", "region", "uscc", "founded", "above_scale", "revenue", "employees", "tags", "class2_certs",
                    "class3_certs", "patents", "rd_ratio", "illustrative", "note"],
    "hospitals": ["id", "name", "region", "grade", "clinical_trial", "demo_base", "departments", "illustrative", "note"],
    "institutions": ["id", "name", "region", "kind", "key_labs", "illustrative", "note"],
    "platforms": ["id", "name", "region", "kind", "accreditations", "illustrative", "note"],
    "produces": ["enterprise", "segment", "share"],
    "supplies": ["from", "to", "weight"],
    "trades_with": ["supplier", "customer", "weight"],
    "researches": ["institution", "segment", "strength"],
    "clinical": ["hospital", "segment", "department", "demand", "strength"],
    "serves": ["platform", "segment", "weight"],
    "cooperates": ["from", "to", "kind", "weight"],
    "invests": ["investor", "investee", "share"],
}
ORDER = list(COLUMNS)


def build():
    rng = random.Random(SEED)
    data = {}
    data["tracks"] = [{"id": t, "name": n, "name_en": e} for t, n, e in TRACKS]
    segs = {}
    for sid, name, pos, parent, en in SEGMENTS:
        segs[sid] = {"id": sid, "track": sid.split(".")[0], "name": name, "position": pos, "parent": parent, "name_en": en}
    data["segments"] = list(segs.values())
    supplies = list(SUPPLIES) + downstream_supplies(segs)
    data["supplies"] = [{"from": f, "to": t, "weight": fmt(float(w))} for f, t, w in supplies]
    data["hospitals"] = [{"id": h[0], "name": h[1], "region": h[2], "grade": h[3], "clinical_trial": h[4], "demo_base": "",
                          "departments": h[5], "illustrative": "0", "note": h[7]} for h in HOSPITALS]
    data["institutions"] = [{"id": i[0], "name": i[1], "region": i[2], "kind": i[3], "key_labs": i[4], "illustrative": "0",
                             "note": i[6]} for i in INSTITUTIONS]
    platforms = [{"id": p[0], "name": p[1], "region": p[2], "kind": p[3], "accreditations": p[4], "illustrative": "0",
                  "note": p[6], "_tracks": p[5]} for p in REAL_PLATFORMS]
    for i, (place, middle, kind, region, acc, tracks) in enumerate(ILLUSTRATIVE_PLATFORMS):
        platforms.append({"id": "P%03d" % (len(REAL_PLATFORMS) + i + 1), "name": place + "示例" + middle, "region": region,
                          "kind": kind, "accreditations": acc, "illustrative": "1", "note": "invented for illustration",
                          "_tracks": tracks})
    data["platforms"] = platforms
    enterprises, produces = generate_enterprises(rng, segs)
    data["enterprises"] = enterprises
    data["produces"] = produces
    data["trades_with"] = generate_trades(rng, enterprises, produces, supplies)
    data["researches"] = generate_researches(rng)
    data["clinical"] = generate_clinical(rng, segs)
    data["serves"] = generate_serves(rng, platforms, segs)
    data["cooperates"] = generate_cooperates(rng, enterprises, produces, data["hospitals"], data["institutions"], platforms,
                                             data["clinical"], data["researches"], data["serves"])
    data["invests"] = generate_invests(rng, enterprises, platforms)
    return data


class CheckError(Exception):
    pass


def check(data):
    errs = []

    def err(msg):
        errs.append(msg)

    regions = {r["code"]: r for r in data["regions"]}
    if len(regions) != len(data["regions"]):
        err("duplicate region codes")
    levels = ["province", "city", "county", "park"]
    for r in data["regions"]:
        lvl = r["level"]
        if lvl not in levels:
            err("region %s: bad level" % r["code"])
        if lvl == "province":
            if r["parent"]:
                err("province %s has a parent" % r["code"])
            continue
        par = regions.get(r["parent"])
        if par is None:
            err("region %s: parent %s missing" % (r["code"], r["parent"]))
            continue
        ok = {"city": ["province"], "county": ["city", "province"], "park": ["county"]}[lvl]
        if par["level"] not in ok:
            err("region %s: parent level %s" % (r["code"], par["level"]))
        if r["code"][:2] != r["parent"][:2]:
            err("region %s not in its province" % r["code"])
        if lvl == "park" and not (r["code"].startswith(r["parent"] + "-")):
            err("park %s code" % r["code"])
        if lvl != "park" and not (len(r["code"]) == 6 and r["code"].isdigit()):
            err("region code %s" % r["code"])

    ids = {}
    for kind in ["tracks", "segments", "enterprises", "hospitals", "institutions", "platforms"]:
        ids[kind] = set()
        for row in data[kind]:
            if row["id"] in ids[kind]:
                err("%s: duplicate id %s" % (kind, row["id"]))
            ids[kind].add(row["id"])
    names = [e["name"] for e in data["enterprises"]]
    if len(set(names)) != len(names):
        err("duplicate enterprise names")

    segs = {s["id"]: s for s in data["segments"]}
    for s in data["segments"]:
        if s["track"] not in ids["tracks"]:
            err("segment %s: track" % s["id"])
        if s["position"] not in ("upstream", "midstream", "downstream"):
            err("segment %s: position" % s["id"])
        if s["parent"]:
            p = segs.get(s["parent"])
            if p is None or p["track"] != s["track"]:
                err("segment %s: parent" % s["id"])
        seen, cur = set(), s["id"]
        while cur:
            if cur in seen:
                err("segment cycle at %s" % s["id"])
                break
            seen.add(cur)
            cur = segs[cur]["parent"] if cur in segs else ""

    def unit(v, what, lo_open=True, allow_empty=True):
        if v == "" and allow_empty:
            return
        try:
            x = float(v)
        except ValueError:
            err("%s: not a number %r" % (what, v))
            return
        if x > 1 or x < 0 or (lo_open and x == 0):
            err("%s: out of range %r" % (what, v))

    for kind in ["enterprises", "hospitals", "institutions", "platforms"]:
        for row in data[kind]:
            if row["region"] not in regions:
                err("%s %s: region %s" % (kind, row["id"], row["region"]))
            if row.get("illustrative") == "1" and "示例" not in row["name"]:
                err("%s %s: illustrative without 示例" % (kind, row["id"]))
            if row.get("illustrative") == "0" and "示例" in row["name"]:
                err("%s %s: real row with 示例" % (kind, row["id"]))
    for e in data["enterprises"]:
        w = "enterprise " + e["id"]
        if e.get("uscc"):
            err(w + ": uscc must stay empty")
        if e.get("founded") and not (1900 <= int(e["founded"]) <= THIS_YEAR):
            err(w + ": founded")
        for c in ("employees", "class2_certs", "class3_certs", "patents"):
            if e.get(c) and (not e[c].isdigit()):
                err(w + ": " + c)
        if e.get("revenue") and float(e["revenue"]) < 0:
            err(w + ": revenue")
        if e.get("above_scale") not in (None, "", "0", "1"):
            err(w + ": above_scale")
        unit(e.get("rd_ratio", ""), w + " rd_ratio", lo_open=False)
        for t in (e.get("tags") or "").split(";"):
            if t and t not in TAGS:
                err(w + ": tag " + t)
        if e["illustrative"] == "1":
            place = place_of(county_of(e["region"]))
            if not (e["name"].startswith(place + "示例") or e["name"].startswith("浙江示例")):
                err(w + ": 示例 not right after the place name")
    for h in data["hospitals"]:
        if h["grade"] and h["grade"] not in ("三级甲等", "三级乙等", "三级", "二级甲等", "二级乙等", "二级", "一级", "其他"):
            err("hospital %s grade" % h["id"])
        for c in ("clinical_trial", "demo_base"):
            if h[c] not in ("", "0", "1"):
                err("hospital %s %s" % (h["id"], c))
    for i in data["institutions"]:
        if i["kind"] not in ("university", "institute", "lab"):
            err("institution %s kind" % i["id"])
    pkinds = ("incubator", "cdmo", "cro", "cmo", "cso", "testing", "sterilisation", "registration", "machining", "sales", "fund", "park")
    for p in data["platforms"]:
        if p["kind"] not in pkinds:
            err("platform %s kind" % p["id"])

    def ref(value, kinds, what):
        if ":" in value:
            k, v = value.split(":", 1)
            plural = {"enterprise": "enterprises", "hospital": "hospitals", "institution": "institutions", "platform": "platforms"}.get(k)
            if plural not in kinds or v not in ids[plural]:
                err("%s: bad reference %s" % (what, value))
            return plural + ":" + v
        hits = [k for k in kinds if value in ids[k]]
        if len(hits) != 1:
            err("%s: reference %s resolves to %d kinds" % (what, value, len(hits)))
            return value
        return hits[0] + ":" + value

    rel = [("produces", "enterprise", ["enterprises"], "segment", ["segments"], "share"),
           ("supplies", "from", ["segments"], "to", ["segments"], "weight"),
           ("trades_with", "supplier", ["enterprises"], "customer", ["enterprises"], "weight"),
           ("researches", "institution", ["institutions"], "segment", ["segments"], "strength"),
           ("clinical", "hospital", ["hospitals"], "segment", ["segments"], None),
           ("serves", "platform", ["platforms"], "segment", ["segments"], "weight"),
           ("cooperates", "from", ["enterprises", "hospitals", "institutions", "platforms"], "to",
            ["enterprises", "hospitals", "institutions", "platforms"], "weight"),
           ("invests", "investor", ["enterprises", "platforms"], "investee", ["enterprises"], "share")]
    for kind, a, ak, b, bk, wcol in rel:
        keys = set()
        for n, row in enumerate(data[kind]):
            what = "%s row %d" % (kind, n + 2)
            x, y = ref(row[a], ak, what), ref(row[b], bk, what)
            if (x, y) in keys:
                err(what + ": duplicate key")
            keys.add((x, y))
            if x == y:
                err(what + ": self-loop")
            if wcol:
                unit(row[wcol], what + " " + wcol)
        if kind == "clinical":
            for n, row in enumerate(data[kind]):
                unit(row["demand"], "clinical demand", lo_open=False)
                unit(row["strength"], "clinical strength", lo_open=False)
                if float(row["demand"] or 0) <= 0 and float(row["strength"] or 0) <= 0:
                    err("clinical row %d: no edge" % (n + 2))
    share = {}
    for p in data["produces"]:
        share[p["enterprise"]] = share.get(p["enterprise"], 0.0) + float(p["share"] or 1)
    for e, s in share.items():
        if s > 1.0 + 1e-9:
            err("enterprise %s: shares sum to %.3f" % (e, s))
    leaves = set(leaf_ids(segs))
    for p in data["produces"]:
        if p["segment"] not in leaves:
            err("produces %s -> %s: not a leaf segment" % (p["enterprise"], p["segment"]))
    # trades must follow the chain
    prod = {}
    for p in data["produces"]:
        prod.setdefault(p["enterprise"], set()).add(p["segment"])
    sup_pairs = {(r["from"], r["to"]) for r in data["supplies"]}
    for t in data["trades_with"]:
        if not any((f, g) in sup_pairs for f in prod.get(t["supplier"], ()) for g in prod.get(t["customer"], ())):
            err("trade %s -> %s not backed by a supply relation" % (t["supplier"], t["customer"]))
    if errs:
        raise CheckError("\n".join(errs[:50]) + ("\n... %d errors" % len(errs) if len(errs) > 50 else ""))


def check_design(data):
    """The properties the dataset is designed to show; fail loudly if a table edit breaks them."""
    ent = {e["id"]: e for e in data["enterprises"]}
    by_seg = {}
    for p in data["produces"]:
        by_seg.setdefault(p["segment"], set()).add(p["enterprise"])
    tonglu = lambda s: {e for e in by_seg.get(s, ()) if county_of(ent[e]["region"]) == "330122"}
    problems = []
    for s in ("endo.cmos_sensor", "endo.fiber_bundle", "endo.absorbable_suture"):
        if tonglu(s):
            problems.append("Tonglu must not produce " + s)
        if not by_seg.get(s):
            problems.append("somebody outside Tonglu must produce " + s)
    for s in ("endo.single_use_scope", "endo.ultrasonic_scalpel"):
        if len(tonglu(s)) != 1:
            problems.append("Tonglu must have exactly one producer of " + s)
    outside = [t for t in data["trades_with"] if county_of(ent[t["customer"]]["region"]) == "330122"
               and county_of(ent[t["supplier"]]["region"]) != "330122"
               and by_seg.get("endo.cmos_sensor", set()) & {t["supplier"]}]
    if len(outside) < 3:
        problems.append("Tonglu firms should already buy CMOS sensors from outside (%d ties)" % len(outside))
    counts = {"tracks": 8, "segments": 100, "supplies": 150, "hospitals": 35, "institutions": 25, "platforms": 35,
              "enterprises": 400, "trades_with": 300, "clinical": 150, "serves": 100, "cooperates": 80, "invests": 30}
    for k, n in counts.items():
        if len(data[k]) < n:
            problems.append("%s: %d rows, want at least %d" % (k, len(data[k]), n))
    counties = {county_of(e["region"]) for e in data["enterprises"]}
    if len(counties) < 20:
        problems.append("enterprises in only %d counties" % len(counties))
    if problems:
        raise CheckError("\n".join(problems))


def write_csv(path, columns, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([r.get(c, "") for c in columns])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--regions", default=DEFAULT_REGIONS, help="folder with GB/T 2260 provinces/cities/areas CSVs")
    ap.add_argument("--out", default=DEFAULT_OUT, help="output bundle folder")
    args = ap.parse_args()
    data = build()
    data["regions"] = build_regions(args.regions)
    try:
        check(data)
        check_design(data)
    except CheckError as e:
        print("self-check failed:\n" + str(e), file=sys.stderr)
        return 1
    os.makedirs(args.out, exist_ok=True)
    files = {}
    for kind in ORDER:
        fname = kind + ".csv"
        write_csv(os.path.join(args.out, fname), COLUMNS[kind], data[kind])
        files[kind] = fname
    manifest = {
        "format": "chainatlas-bundle",
        "version": 1,
        "source": SOURCE,
        "description": ("Zhejiang medical-device industry (default dataset of ChainAtlas): GB/T 2260 regions and seed-named parks; "
                        "11 tracks of segments and their supply chain; real public hospitals, universities, institutes and "
                        "platforms (public facts only); enterprises named by the seed policy documents (only what the seeds "
                        "say). Every enterprise and platform marked illustrative=1 (名称含“示例”) is INVENTED, as are all "
                        "relations involving them: they carry no facts about real companies."),
        "files": files,
    }
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=2)
        f.write("\n")
    with open(os.path.join(args.out, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(readme(data))
    for kind in ORDER:
        print("%-13s %5d" % (kind, len(data[kind])))
    return 0


README = """# Default dataset: the Zhejiang medical-device industry

This folder is a ChainAtlas import bundle (format: `docs/bundle-format.md`), embedded as the
default dataset. It is **generated**: edit `scripts/make_default_dataset.py` and run

    python3 scripts/make_default_dataset.py        # writes data/*.csv, manifest.json, README.md

The script uses the Python standard library only, a fixed random seed ({seed}) and no dict/set
ordering, so the output is byte-for-byte reproducible. It reads the GB/T 2260 tables from
`/work/shared/data/regions` (`--regions DIR` to change) and self-checks every row (unique ids,
references resolve to the right kind, region parents, ranges and vocabularies, no duplicate
relation keys, no self-loops, every trade backed by a supply relation) before writing anything.

## Invented data: read this first

**Every enterprise and platform with `illustrative = 1` is invented.** Its name carries the token
`示例` ("example") right after the place name (`桐庐示例明澈内镜有限公司`), its credit code (`uscc`)
is empty, and all its attributes (founding year, revenue, staff, tags, certificates, patents, R&D
ratio) are random draws. Every relation row that involves an illustrative enterprise or platform
(produces, trades_with, cooperates, invests, serves) is invented too, including ties between an
invented firm and a real hospital or university. None of it is a fact about any real company.

## Where each part comes from

| part | source |
|---|---|
| regions | GB/T 2260 (2023) tables in `/work/shared/data/regions`: Zhejiang (330000), all 11 cities and all {zj_counties} counties/districts; outside Zhejiang only the places used (Beijing and Shanghai districts sit directly under the province). Parks (`330122-P01` …) are the parks the seed documents name. |
| tracks, segments, supplies | hand-written taxonomy of the tracks the seeds name (微创外科/内窥镜, 体外诊断/POCT, 医疗机器人, 医美, 康复/家用, 影像, 口腔, 输注耗材, 生物材料/植介入, 脑机接口, 可穿戴) with upstream / midstream / downstream segments and weighted input → output relations; midstream → downstream ties are added by rule. |
| hospitals | real public hospitals: name, region, grade, well-known key departments, clinical-trial institution status only where widely known. Empty grade / status = not sure, left out. A city-level region means we did not guess the district. Clinical demand/strength values are estimates. |
| institutions | real universities, institutes and labs (and the ones the seeds name, e.g. 杭电丽水研究院, 浙江大学-丽水生命健康联合创新中心, 微创器械创新及应用国家工程研究中心); research strengths per segment are estimates. |
| platforms | real public platforms named by the seeds or widely known (省医疗器械检验研究院, 审评中心, 柔性服务站, 绍兴医疗器械创新服务中心, parks …, `illustrative = 0`); every other platform is invented (`示例`, `illustrative = 1`). |
| enterprises | enterprises named by the seeds (`illustrative = 0`, note = the seed): only their name and region as the seeds give them, plus a `produces` row where the seed states the product; all other enterprises are invented. |

Seed documents (`/work/shared/seeds/`): 000 桐庐 three-year action plan (2023-2025); 001 越城区
implementation opinions (2024-2035); 002 Zhejiang province opinions on the device industry; 003
丽水 market-regulation bureau reply to CPPCC proposal no. 10 (2024); 004 a Guangdong city's plan
(the city is anonymised as XX; the text points to 湛江).

## Designed features

- Tonglu (330122, the endoscope town) has many rigid-endoscope, instrument, camera and
  light-source makers but **no** local CMOS image sensor, optical-fibre bundle or absorbable-suture
  maker (缺链) and exactly one maker of single-use electronic scopes and of ultrasonic scalpels
  (弱链); those inputs are made in Shanghai, Suzhou, Shenzhen, Ningbo and Yuyao, and Tonglu's
  makers already buy from some of them (`trades_with`).
- Clusters elsewhere: IVD in Binjiang/Yuhang, imaging/IVD/BCI in Yuecheng, MRI in Ningbo, optics in
  Yuyao, dental and biomaterials in Deqing, disposables in Yuhuan/Huangyan/Longquan, walking aids in
  Jinyun/Yongkang, aesthetics in Liandu; stronger firms outside Zhejiang as investment targets.
- A declared chain leader (`chain_leader`) in a dozen clusters; revenue is heavy-tailed.

## Files and counts

| file | rows |
|---|---|
{counts}

Enterprises sit in {n_counties} distinct regions (counties or parks; a city or province where a
seed gives no county); {n_seed} enterprises are named by the seeds and {n_ill}
are invented; {p_real} platforms are real and {p_ill} invented.
"""


def readme(data):
    counts = "\n".join("| %s.csv | %d |" % (k, len(data[k])) for k in ORDER)
    return README.format(
        seed=SEED, counts=counts,
        zj_counties=sum(1 for r in data["regions"] if r["level"] == "county" and r["code"].startswith("33")),
        n_counties=len({county_of(e["region"]) for e in data["enterprises"]}),
        n_seed=sum(1 for e in data["enterprises"] if e["illustrative"] == "0"),
        n_ill=sum(1 for e in data["enterprises"] if e["illustrative"] == "1"),
        p_real=sum(1 for p in data["platforms"] if p["illustrative"] == "0"),
        p_ill=sum(1 for p in data["platforms"] if p["illustrative"] == "1"))


if __name__ == "__main__":
    sys.exit(main())
