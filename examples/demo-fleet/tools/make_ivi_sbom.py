"""Write the SPDX 2.3 SBOM of the Hanbit HIVE-7 infotainment head unit (the demo fleet's
Android-scale SBOM): about 3,000 packages of an Android Automotive OS 14 build, the Linux kernel
and its modules, the SoC vendor's binary blobs, the head-unit maker's own apps and two
third-party apps.

Everything is fictional (Hanbit, Arcturus, Cartolux, Koto, Sonique); the package names follow
AOSP module and external-project names so that the SBOM looks like what an Android build emits.
The output is deterministic: no clock, no randomness, fixed order; the same script writes the
same bytes (tests/examples/test_demo_fleet_inputs.py checks it).

    python examples/demo-fleet/tools/make_ivi_sbom.py            # rewrites boms/hanbit-hive7-ivi.spdx.json
    python examples/demo-fleet/tools/make_ivi_sbom.py OUT.json   # writes elsewhere
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "boms" / "hanbit-hive7-ivi.spdx.json"

HANBIT = "Hanbit Infotainment Co., Ltd."
ARCTURUS = "Arcturus Semiconductor Corp."
CARTOLUX = "Cartolux Maps Inc."
KOTO = "Koto Voice K.K."
SONIQUE = "Sonique Labs"  # nobody's ownership data names this one: an unknown supplier

EMAIL = {HANBIT: "sbom@hanbit-infotainment.example", ARCTURUS: "sbom@arcturus-semi.example",
         CARTOLUX: "licensing@cartolux-maps.example", KOTO: "oem@koto-voice.example"}

AOSP_VERSION = "14.0.0_r29"
HANBIT_VERSION = "14.2.0"
KERNEL_VERSION = "6.1.75-android14-11-hive7"
BUILT = "2026-05-28T00:00:00Z"

LICENSE_REFS = {
    "LicenseRef-Hanbit-Proprietary": "Hanbit Infotainment proprietary software licence: confidential, licensed to the vehicle manufacturer for use in the HIVE-7 head unit only.",
    "LicenseRef-Arcturus-Proprietary": "Arcturus Semiconductor proprietary binary licence for the AX-7 platform: redistribution in object form on AX-7 based products only.",
    "LicenseRef-Cartolux-Commercial": "Cartolux Maps commercial licence for the embedded navigation engine and map data.",
    "LicenseRef-Koto-Commercial": "Koto Voice commercial licence for the in-vehicle voice assistant.",
    "LicenseRef-Sonique-Proprietary": "Sonique Labs proprietary audio tuning firmware licence.",
}

# --- AOSP native libraries (Apache-2.0), installed in several partitions ----------------------
NATIVE_LIBS = """
libbase libcutils liblog libutils libbinder libbinder_ndk libhidlbase libfmq libprocessgroup libsync libui
libgui libEGL libGLESv1_CM libGLESv2 libGLESv3 libvulkan libmedia libmediandk libstagefright
libstagefright_foundation libaudioclient libaudioutils libaudiofoundation libaudiohal libcamera_client
libcamera2ndk libcamera_metadata libinput libinputflinger libsensor libnativewindow libnativebase
libnativehelper libandroid libandroid_runtime libhwui libandroidfw libjnigraphics libnetd_client libnetutils
libsysutils libdiskconfig libsparse libziparchive libvndksupport libdl_android libc libm libdl libc++
libunwindstack libbacktrace libmeminfo libpowermanager libgraphicsenv libhardware libhardware_legacy
libtinyxml2 libexpat libz libcrypto libssl libsqlite libicuuc libicui18n libicu libharfbuzz_ng libft2
libpng libjpeg libwebp libgif libpiex libdng_sdk libheif libavservices_minijail libminijail libseccomp_policy
libselinux_wrapper libpackagelistparser libpcre2 libprotobuf-cpp-lite libprotobuf-cpp-full libjsoncpp
libxml2 libcurl_android libopus libvorbisidec libFLAC libspeexresampler libwebrtc_audio_preprocessing
libsonic libaaudio libaaudio_internal libamidi libmediautils libmediametrics libmedia_codeclist
libmedia_helper libmediadrm libmediadrmmetrics_lite libdrmframework libcodec2 libcodec2_vndk
libcodec2_client libsfplugin_ccodec libstagefright_omx libstagefright_bufferqueue_helper libbufferhub
libgralloctypes libdisplayconfig libtimestats libtracing_perfetto libperfetto_client_experimental
libstatslog libstatssocket libstatspull libstatsbootstrap libincident libdumpstateutil libdumputils
libkeystore2_crypto libkeymint_support libgatekeeper libfingerprint libsoftkeymasterdevice libcppbor
libcppcose libcrypto_utils libfs_mgr libfstab libdm liblp libavb libbootloader_message libvold_binder
libext4_utils libf2fs_sparseblock libsquashfs_utils libbpf_android libbpf_bcc libnetdbpf libtcutils
libwifi-system-iface libwifi-hal libwpa_client libkeyutils libcap libpcap libnl libiptc libip4tc libip6tc
libchrome libevent libbluetooth libbluetooth-types libbluetooth_jni libbt-audio-hal-interface
libaudiopolicyengineconfigurable libaudiopolicymanagerdefault libaudiopolicyservice libaudioflinger
libaudioprocessing libaudiospdif libeffects libeffectsconfig libreverbwrapper libbundlewrapper
libdownmix libvisualizer libdynproc libldnhncr libhapticgenerator libcamera2 libcameraservice
libdepthphoto libimage_io libultrahdr libinputreader libinputdispatcher libinputservice libgestures
libsurfaceflinger librenderengine libcompositionengine libscheduler libframetimeline libvibratorservice
libservices libandroid_servers libincfs libdataloader libcar-framework-service-jni libvehiclehal_client
libcarpowerpolicy libwatchdog_client libevsutils libcarwatchdog libcar-ui-lib-native libsysprop
libhealthloop libbatteryservice libhealthd_draw libsuspend libsystemsuspend libpower libperfmgr
libprocinfo libstatssocket_lazy libtombstoned_client liblmkd_utils libpsi libadbd_auth libadb_protos
libfastdeploy libcrypto_static libssl_static libbrotli libzstd liblz4 libxz libbz
""".split()
VARIANTS = ["", ".vendor", ".product", ".recovery", ".ramdisk", ".apex", ".system_ext", ".vendor_ramdisk"]

EXECUTABLES = """
init ueventd adbd logd logcat lmkd servicemanager hwservicemanager vndservicemanager vold netd installd
surfaceflinger audioserver cameraserver mediaserver mediaextractor mediametrics media.swcodec keystore2
gatekeeperd storaged statsd incidentd wificond tombstoned dumpstate dumpsys cmd am pm wm settings ime input
bootstat update_engine update_verifier apexd linkerconfig snapuserd gsid credstore traced traced_probes
perfetto heapprofd iorapd idmap2d artd odrefresh dex2oat dexoptanalyzer profman app_process app_process64
bpfloader netbpfload clatd dnsmasq mdnsd racoon mtpd pppd ip ip6tables iptables iptables-restore ndc
toybox toolbox sh reboot blkid e2fsck fsck.f2fs mke2fs make_f2fs resize2fs sgdisk tune2fs
vehicle_binding_util carwatchdogd carpowerpolicyd evsmanagerd evs_app automotive_display_service
cardisplayproxyd android.automotive.evs.manager@1.1 dumpstate_hal vibratorfeature thermal_logd
""".split()

APPS = """
Settings SystemUI Launcher3QuickStep Bluetooth BluetoothMidiService Contacts Dialer MediaProvider
DocumentsUI PermissionController PackageInstaller Shell SettingsProvider TelephonyProvider
ContactsProvider CalendarProvider DownloadProvider MmsService CertInstaller KeyChain ExtServices
NetworkStack CaptivePortalLogin Tethering WallpaperBackup LocalTransport SharedStorageBackup
InputDevices BlockedNumberProvider CompanionDeviceManager CredentialManager HealthConnect
StatementService DeviceDiagnostics EmergencyInfo ManagedProvisioning ProxyHandler Traceur
CarService CarSettings CarSystemUI CarLauncher CarMediaApp CarDialerApp CarMessenger CarRadioApp
CarHvacApp CarRotaryController CarDeveloperOptions CarManagedProvisioning CarPermissionController
CarActivityResolver CarFrameworkPackageStubs CarLatinIME CarShell CarSpeechRecognitionService
CarTelemetryApp CarUsbHandler CarProvision CarDebuggingRestrictionController CarCalendarApp
CarNotificationApp CarMapsPlaceholder CarHomeApp CarMediaApp_overlay CarService_overlay
LocalMediaPlayer CarAppsLauncher CarVoiceInteractionService ClusterHomeSample DirectRenderingCluster
""".split()

HAL_INTERFACES = """
audio audio.core audio.effect automotive.vehicle automotive.audiocontrol automotive.evs
automotive.can automotive.occupant_awareness automotive.ivn automotive.remoteaccess bluetooth
bluetooth.audio broadcastradio camera.provider camera.device gnss graphics.allocator graphics.composer3
graphics.mapper health health.storage keymaster security.keymint security.secureclock
security.sharedsecret gatekeeper light power power.stats sensors thermal usb usb.gadget wifi
wifi.hostapd wifi.supplicant drm media.c2 neuralnetworks boot dumpstate memtrack oemlock vibrator
secure_element rebootescrow identity contexthub ir input.processor
""".split()

# external/ projects: (name, upstream version, licence)
EXTERNAL = [
    ("abseil-cpp", "20230125.3", "Apache-2.0"), ("aac", "2.0.2", "Apache-2.0"), ("boringssl", "2023-03-21", "ISC"),
    ("brotli", "1.0.9", "MIT"), ("cbor-java", "0.8", "Apache-2.0"),
    ("conscrypt", "2.6.0", "Apache-2.0"), ("cronet", "114.0.5735.84", "BSD-3-Clause"), ("curl", "8.4.0", "MIT"),
    ("dnsmasq", "2.85", "GPL-2.0-only"), ("dtc", "1.6.1", "BSD-2-Clause"),
    ("e2fsprogs", "1.47.0", "GPL-2.0-only"), ("eigen", "3.4.0", "MPL-2.0"), ("erofs-utils", "1.6", "Apache-2.0"),
    ("expat", "2.5.0", "MIT"), ("f2fs-tools", "1.16.0", "GPL-2.0-only"), ("fdlibm", "5.3", "MIT"),
    ("flac", "1.4.2", "BSD-3-Clause"), ("flatbuffers", "2.0.6", "Apache-2.0"), ("fmtlib", "10.0.0", "MIT"),
    ("freetype", "2.13.0", "BSD-3-Clause"), ("gemmlowp", "2019-11-14", "Apache-2.0"), ("giflib", "5.2.1", "MIT"),
    ("googletest", "1.13.0", "BSD-3-Clause"), ("gptfdisk", "1.0.9", "GPL-2.0-only"), ("guava", "32.1.1", "Apache-2.0"),
    ("harfbuzz_ng", "8.0.1", "MIT"), ("iproute2", "6.1.0", "GPL-2.0-only"),
    ("ipsec-tools", "0.8.2", "BSD-3-Clause"), ("iptables", "1.8.7", "GPL-2.0-only"), ("iw", "5.19", "ISC"),
    ("jsoncpp", "1.9.5", "MIT"), ("kotlinc", "1.9.0", "Apache-2.0"), ("kotlinx.coroutines", "1.7.2", "Apache-2.0"),
    ("libaom", "3.6.1", "BSD-2-Clause"), ("libavc", "2023-06", "Apache-2.0"), ("libcap", "2.69", "BSD-3-Clause"),
    ("libcppbor", "2022-10", "Apache-2.0"), ("libdav1d", "1.2.1", "BSD-2-Clause"), ("libdrm", "2.4.115", "MIT"),
    ("libevent", "2.1.12", "BSD-3-Clause"), ("libgav1", "0.18.0", "Apache-2.0"), ("libhevc", "2023-06", "Apache-2.0"),
    ("libjpeg-turbo", "2.1.5", "BSD-3-Clause"), ("libldac", "2.0.2.3", "Apache-2.0"), ("libmpeg2", "2023-06", "Apache-2.0"),
    ("libnl", "3.7.0", "LGPL-2.1-only"), ("libopus", "1.4", "BSD-3-Clause"), ("libpcap", "1.10.4", "BSD-3-Clause"),
    ("libvpx", "1.13.0", "BSD-3-Clause"), ("libwebm", "1.0.0.29", "BSD-3-Clause"),
    ("libwebsockets", "4.3.2", "MIT"), ("libxml2", "2.11.4", "MIT"), ("libyuv", "1875", "BSD-3-Clause"),
    ("lz4", "1.9.4", "BSD-2-Clause"), ("lzma", "22.01", "Apache-2.0"), ("mdnsresponder", "1310.140.1", "Apache-2.0"),
    ("mesa3d", "23.1.3", "MIT"), ("minijail", "18", "BSD-3-Clause"), ("mockito", "4.11.0", "MIT"),
    ("nanopb-c", "0.4.7", "Zlib"), ("okhttp", "3.14.9", "Apache-2.0"), ("oboe", "1.7.0", "Apache-2.0"),
    ("pcre", "10.42", "BSD-3-Clause"), ("perfetto", "37.0", "Apache-2.0"), ("protobuf", "3.21.12", "BSD-3-Clause"),
    ("rapidjson", "1.1.0", "MIT"), ("rust-crates-anyhow", "1.0.75", "MIT"), ("rust-crates-bitflags", "2.4.0", "MIT"),
    ("rust-crates-libc", "0.2.147", "MIT"), ("rust-crates-log", "0.4.20", "MIT"), ("rust-crates-serde", "1.0.188", "MIT"),
    ("rust-crates-tokio", "1.32.0", "MIT"), ("rust-crates-zerocopy", "0.7.5", "BSD-2-Clause"),
    ("scrypt", "1.2.1", "BSD-2-Clause"), ("selinux", "3.5", "BSD-3-Clause"), ("sonic", "0.2.0", "Apache-2.0"),
    ("sqlite", "3.42.0", "Apache-2.0"), ("tinyalsa", "2.0.0", "BSD-3-Clause"), ("tinyxml2", "9.0.0", "Zlib"),
    ("toybox", "0.8.10", "0BSD"), ("tcpdump", "4.99.4", "BSD-3-Clause"), ("vixl", "6.4.0", "BSD-3-Clause"),
    ("vulkan-headers", "1.3.250", "Apache-2.0"), ("webrtc", "M114", "BSD-3-Clause"), ("wpa_supplicant_8", "2.10", "BSD-3-Clause"),
    ("xz-java", "1.9", "0BSD"), ("zlib", "1.2.13", "Zlib"), ("zstd", "1.5.5", "BSD-3-Clause"),
    ("bouncycastle", "1.68", "MIT"), ("apache-xml", "2.7.1", "Apache-2.0"), ("jarjar", "1.4", "Apache-2.0"),
    ("ltp", "20230516", "GPL-2.0-only"), ("strace", "6.4", "LGPL-2.1-only"), ("tensorflow-lite", "2.13.0", "Apache-2.0"),
    ("XNNPACK", "2023-06-14", "BSD-3-Clause"), ("ruy", "2023-05", "Apache-2.0"), ("pffft", "2020-05", "BSD-3-Clause"),
    ("speex", "1.2.1", "BSD-3-Clause"), ("libogg", "1.3.5", "BSD-3-Clause"), ("tremolo", "0.08", "BSD-3-Clause"),
    ("sonivox", "3.6.16", "Apache-2.0"), ("libusb", "1.0.26", "LGPL-2.1-only"), ("libffi", "3.4.4", "MIT"),
    ("jemalloc_new", "5.3.0", "BSD-2-Clause"), ("scudo", "2023-06", "Apache-2.0"), ("arm-optimized-routines", "23.01", "MIT"),
    ("crosvm", "2023-06", "BSD-3-Clause"), ("bcc", "0.28.0", "Apache-2.0"),
    ("libbpf", "1.2.0", "BSD-2-Clause"), ("gson", "2.10.1", "Apache-2.0"), ("javapoet", "1.13.0", "Apache-2.0"),
    ("jsr305", "3.0.2", "BSD-3-Clause"), ("kotlin-reflect", "1.9.0", "Apache-2.0"), ("dagger2", "2.46.1", "Apache-2.0"),
    ("exoplayer", "2.19.1", "Apache-2.0"), ("glide", "4.15.1", "BSD-2-Clause"), ("lottie", "6.1.0", "Apache-2.0"),
    ("zxing", "3.5.2", "Apache-2.0"), ("libphonenumber", "8.13.17", "Apache-2.0"), ("libtextclassifier", "2023-06", "Apache-2.0"),
]
EXTERNAL_VARIANTS = ["", ".vendor", "-host"]

RUST_CRATES = """
aho-corasick anyhow arbitrary async-stream async-trait base64 bitflags byteorder bytes cfg-if chrono clap
codespan-reporting crc32fast crossbeam-channel crossbeam-utils data-encoding der downcast-rs either env_logger
fallible-iterator futures futures-channel futures-core futures-executor futures-io futures-util getrandom glob
hashbrown hashlink heck hex indexmap itoa lazy_static libm linked-hash-map lock_api log lru-cache memchr
memoffset merge nix num-bigint num-derive num-integer num-traits once_cell oid-registry paste pin-project
pin-project-lite pin-utils ppv-lite86 proc-macro2 protobuf quote rand rand_chacha rand_core regex
regex-syntax rusqlite rustc-demangle scopeguard serde serde_cbor serde_json slab smallvec spin
static_assertions syn thiserror tinyvec tokio tokio-macros tokio-stream unicode-ident unicode-width uuid
vsock which zerocopy zeroize
""".split()

ANDROIDX = """
activity annotation appcompat arch.core asynclayoutinflater autofill biometric browser car.app
car.app.automotive cardview collection concurrent constraintlayout coordinatorlayout core core.ktx
cursoradapter customview databinding datastore documentfile drawerlayout dynamicanimation emoji2
exifinterface fragment graphics gridlayout interpolator leanback legacy.support.core.ui lifecycle.common
lifecycle.livedata lifecycle.process lifecycle.runtime lifecycle.service lifecycle.viewmodel loader
localbroadcastmanager media media2 mediarouter navigation.common navigation.fragment navigation.runtime
paging palette preference print profileinstaller recyclerview remotecallback room.common room.runtime
savedstate security.crypto slice.core slidingpanelayout startup swiperefreshlayout tracing transition
vectordrawable vectordrawable.animated versionedparcelable viewpager viewpager2 webkit window work.runtime
""".split()

JAVA_LIBS = """
framework framework-minus-apex services services.core services.net services.usb services.wifi
ext telephony-common voip-common ims-common android.car android.car.builtin car-frameworks-service
android.hidl.base-V1.0-java android.hidl.manager-V1.0-java android.test.base android.test.mock
android.test.runner org.apache.http.legacy javax.obex com.android.location.provider
com.android.media.remotedisplay com.android.mediadrm.signer framework-graphics framework-wifi
framework-bluetooth framework-connectivity framework-sdkextensions framework-statsd framework-tethering
framework-permission framework-scheduling framework-media framework-mediaprovider framework-appsearch
framework-adservices framework-configinfrastructure framework-healthfitness framework-ondevicepersonalization
framework-uwb framework-nfc framework-location car-ui-lib car-messenger-common car-media-common
car-apps-common car-telephony-common car-assist-lib car-uxr-client-lib
""".split()

APEX = """
com.android.adbd com.android.adservices com.android.appsearch com.android.art com.android.btservices
com.android.cellbroadcast com.android.conscrypt com.android.configinfrastructure com.android.extservices
com.android.healthfitness com.android.i18n com.android.ipsec com.android.media com.android.media.swcodec
com.android.mediaprovider com.android.neuralnetworks com.android.ondevicepersonalization com.android.os.statsd
com.android.permission com.android.resolv com.android.rkpd com.android.runtime com.android.scheduling
com.android.sdkext com.android.tethering com.android.tzdata com.android.uwb com.android.virt com.android.vndk.current
com.android.wifi com.android.car.framework com.android.hardware.vibrator com.android.hardware.rebootescrow
""".split()

KERNEL_SUBSYSTEMS = {
    "drivers/net/wireless": "cfg80211 mac80211 arc_wlan arc_wlan_pcie rfkill".split(),
    "drivers/bluetooth": "btbcm btintel btrtl btusb hci_uart bluetooth bnep rfcomm hidp".split(),
    "sound/soc": "snd-soc-core snd-soc-arc-ax7 snd-soc-arc-dsp snd-soc-tas2562 snd-soc-tdm snd-compress snd-pcm-dmaengine snd-usb-audio snd-hwdep snd-rawmidi snd-timer".split(),
    "drivers/gpu": "arc_gpu drm drm_kms_helper drm_dp_aux_bus drm_display_helper drm_mipi_dsi arc_dpu arc_hdmi".split(),
    "drivers/media": "videobuf2-common videobuf2-v4l2 videobuf2-memops videobuf2-dma-contig v4l2-async v4l2-fwnode arc_camss arc_venus arc_cci max9296 max96712 ov10640 ar0233".split(),
    "drivers/net/can": "can-dev can-raw can-bcm can-gw arc_canfd mcp251xfd vcan".split(),
    "drivers/usb": "dwc3 dwc3-arc xhci-plat-hcd usb_f_fs usb_f_mtp usb_f_ptp usb_f_ncm usb_f_rndis typec tcpm".split(),
    "drivers/net": "r8152 ax88179_178a cdc_ether cdc_ncm usbnet tun veth macvlan wireguard ppp_generic pppox l2tp_core".split(),
    "drivers/input": "hid-generic hid-multitouch goodix_ts atmel_mxt_ts uinput evdev".split(),
    "drivers/soc": "arc_smem arc_rpmsg arc_glink arc_qmi arc_pdr arc_sysmon arc_socinfo arc_llcc arc_icc arc_clk arc_pinctrl arc_regulator arc_thermal arc_cpufreq arc_watchdog".split(),
    "fs": "f2fs erofs incrementalfs fuse exfat ntfs3 overlay zram zsmalloc".split(),
    "drivers/block": "virtio_blk loop dm-verity dm-bow dm-default-key dm-crypt dm-snapshot dm-user ublk_drv".split(),
    "drivers/misc": "arc_fastrpc arc_hwkm arc_secure_buffer arc_qseecom arc_mem_dump arc_minidump arc_ramoops eeprom_at24 lis3lv02d".split(),
    "drivers/iio": "iio-trig-hrtimer industrialio industrialio-buffer-cb arc_adc_tm arc_spmi_adc bmi160_spi bmp280 lsm6dsx".split(),
    "drivers/i2c": "i2c-dev i2c-mux i2c-arc-geni i2c-gpio i2c-algo-bit".split(),
    "drivers/spi": "spidev spi-arc-geni spi-bitbang spi-gpio".split(),
    "drivers/tty": "arc_geni_serial n_gsm ttynull serdev".split(),
    "drivers/mailbox": "arc-ipcc arc-apcs-ipc mailbox-test".split(),
    "drivers/remoteproc": "arc_pas arc_mss arc_wcnss remoteproc rpmsg_char rpmsg_ns".split(),
    "drivers/nvmem": "nvmem_arc_spmi_sdam nvmem-arc-qfprom".split(),
    "drivers/phy": "phy-arc-ufs phy-arc-usb-snps phy-arc-pcie phy-arc-qmp-combo".split(),
    "drivers/pci": "pcie-arc pci-epf-test pcie-designware".split(),
    "crypto": "arc_crypto_engine arc_ice sha3_generic chacha20poly1305 adiantum xts ecdh_generic".split(),
    "net": "nf_conntrack nf_nat nf_tables xt_bpf xt_owner xt_quota2 sch_ingress cls_bpf act_bpf ip6_gre ip_gre ipip sit ip6_tunnel xfrm_user xfrm_interface".split(),
}

ARCTURUS_LIBS = """
libarc_gpu_vk libarc_gpu_gles libarc_gpu_cl libarc_gralloc libarc_hwcomposer libarc_dpu libarc_camera_hal
libarc_camera_isp libarc_camera_sensors libarc_codec2 libarc_omx_core libarc_venus libarc_dsp_rpc
libarc_fastrpc libarc_audio_hal libarc_audio_pcm libarc_audio_route libarc_acdb libarc_adsp_loader
libarc_sensors_hal libarc_sensors_calib libarc_thermal_engine libarc_perf libarc_powerhal libarc_bt_vendor
libarc_wifi_hal libarc_wlan_cfg libarc_gnss_hal libarc_gnss_engine libarc_keymint libarc_gatekeeper
libarc_tee_client libarc_drm_widevine libarc_secure_ui libarc_nnhal libarc_npu_runtime libarc_npu_compiler
libarc_vehicle_can libarc_evs_hw libarc_display_cluster libarc_hdmi_cec libarc_usb_pd libarc_charger
libarc_boot_ctrl libarc_ota_helper libarc_diag libarc_logger libarc_qmi_client libarc_rpmb libarc_ufs
""".split()

ARCTURUS_FIRMWARE = """
ax7-wlan-fw ax7-bt-fw ax7-gpu-fw ax7-venus-fw ax7-adsp-fw ax7-cdsp-fw ax7-npu-fw ax7-ipa-fw ax7-gnss-fw
ax7-tz ax7-hyp ax7-xbl ax7-abl ax7-aop ax7-devcfg ax7-uefisecapp ax7-keymaster-ta ax7-widevine-ta
ax7-cpucp ax7-shrm ax7-secure-display-ta
""".split()

HANBIT_APPS = """
HiveLauncher HiveHvac HiveSeatControl HiveAmbientLight HiveVehicleSettings HiveEnergyMonitor HiveChargeScheduler
HiveTripComputer HiveDriveModes HiveAroundView HiveRearCamera HiveDashcam HiveParkAssistUI HiveTunerFM
HiveTunerDAB HiveSiriusXMPlaceholder HiveMediaCenter HivePhone HiveMessages HiveSmartphoneLink HiveUserProfiles
HiveValetMode HiveOwnerManual HiveServiceReminders HiveTirePressureView HiveClusterSync HiveHeadUpDisplay
HiveDiagnosticsUI HiveFactoryTest HiveDealerMode HiveSoftwareUpdateUI HiveTheme HiveWallpaper HiveKeyboard
""".split()

HANBIT_NATIVE = """
libhive_vhal libhive_vhal_can libhive_vhal_someip libhive_audio_zones libhive_audio_policy libhive_amp_ctrl
libhive_tuner_hal libhive_dab_decoder libhive_rds libhive_avm_stitcher libhive_camera_mux libhive_dashcam_enc
libhive_cluster_ipc libhive_hud_render libhive_ota_client libhive_ota_delta libhive_diag_uds libhive_doip
libhive_power_ctrl libhive_thermal_policy libhive_boot_anim libhive_splash libhive_eol_test libhive_crypto_store
libhive_user_profile libhive_phone_bridge libhive_carplay_bridge libhive_aa_bridge libhive_ble_keypair
libhive_ev_energy libhive_charge_sched libhive_tpms_view libhive_seat_ctrl libhive_hvac_ctrl
""".split()

HANBIT_SERVICES = """
hive.vehicle-service hive.audio-service hive.tuner-service hive.camera-service hive.cluster-service
hive.ota-service hive.diag-service hive.power-service hive.profile-service hive.phone-service
hive.projection-service hive.energy-service
""".split()

CARTOLUX_PACKAGES = [
    ("CartoluxNavigation", "APPLICATION", "12.3.0"), ("libcartolux_render", "LIBRARY", "12.3.0"),
    ("libcartolux_routing", "LIBRARY", "12.3.0"), ("libcartolux_search", "LIBRARY", "12.3.0"),
    ("libcartolux_traffic", "LIBRARY", "12.3.0"), ("libcartolux_ev_routing", "LIBRARY", "12.3.0"),
    ("cartolux-map-engine-runtime", "FRAMEWORK", "12.3.0"), ("CartoluxNavigationCluster", "APPLICATION", "12.3.0"),
]
KOTO_PACKAGES = [
    ("KotoAssistant", "APPLICATION", "5.8.1"), ("libkoto_asr", "LIBRARY", "5.8.1"), ("libkoto_tts", "LIBRARY", "5.8.1"),
    ("libkoto_nlu", "LIBRARY", "5.8.1"), ("libkoto_wakeword", "LIBRARY", "5.8.1"), ("koto-voice-hal", "LIBRARY", "5.8.1"),
]
SONIQUE_FIRMWARE = ["sonique-adsp-tuning", "sonique-anc-rnc", "sonique-sound-staging"]


def _party(name: str) -> str:
    email = EMAIL.get(name)
    return f"Organization: {name} ({email})" if email else f"Organization: {name}"


class Packages:
    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, name: str, version: str, purpose: str, licence: str, supplier: str = HANBIT,
            originator: str | None = None, built: str | None = None, purl: str | None = None,
            comment: str | None = None) -> str:
        spdx_id = f"SPDXRef-P{len(self.items) + 1:04d}"
        package = {"SPDXID": spdx_id, "name": name, "versionInfo": version, "supplier": _party(supplier)}
        if originator:
            package["originator"] = _party(originator)
        package["downloadLocation"] = "NOASSERTION"
        package["filesAnalyzed"] = False
        package["licenseConcluded"] = licence
        package["licenseDeclared"] = licence
        package["copyrightText"] = "NOASSERTION"
        package["primaryPackagePurpose"] = purpose
        if built:
            package["builtDate"] = built
        if purl:
            package["externalRefs"] = [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                                        "referenceLocator": purl}]
        if comment:
            package["comment"] = comment
        self.items.append(package)
        return spdx_id


def build() -> dict:
    p = Packages()
    root = "SPDXRef-HIVE7"
    top: list[str] = []
    top.append(p.add("Android Automotive OS", AOSP_VERSION, "OPERATING-SYSTEM", "Apache-2.0",
                     purl=f"pkg:generic/android/platform@android-{AOSP_VERSION}"))
    top.append(p.add("linux", KERNEL_VERSION, "OPERATING-SYSTEM", "GPL-2.0-only",
                     purl="pkg:generic/linux@6.1.75", comment="Android common kernel android14-6.1 with AX-7 board support"))
    for subsystem, modules in KERNEL_SUBSYSTEMS.items():
        for module in modules:
            p.add(f"{module}.ko", KERNEL_VERSION, "OPERATING-SYSTEM", "GPL-2.0-only", comment=f"kernel module, {subsystem}")
    for index, lib in enumerate(NATIVE_LIBS):
        for position, variant in enumerate(VARIANTS):
            # every library in system; vendor for most; the other partitions for a deterministic share
            if position < 2 or (position == 2 and index % 2 == 0) or (position == 3 and index % 3 == 1) \
                    or (position == 4 and index % 7 == 2) or (position == 5 and index % 3 == 0) \
                    or (position == 6 and index % 4 == 1) or (position == 7 and index % 5 == 0):
                p.add(lib + variant, AOSP_VERSION, "LIBRARY", "Apache-2.0")
    for index, exe in enumerate(EXECUTABLES):
        p.add(exe, AOSP_VERSION, "APPLICATION", "Apache-2.0")
        if index % 4 == 0:
            p.add(exe + ".recovery", AOSP_VERSION, "APPLICATION", "Apache-2.0")
        if index % 2 == 1:
            p.add(exe + ".vendor", AOSP_VERSION, "APPLICATION", "Apache-2.0")
    for app in APPS:
        p.add(app, AOSP_VERSION, "APPLICATION", "Apache-2.0")
        p.add(f"{app}__auto_generated_rro_product__", AOSP_VERSION, "APPLICATION", "Apache-2.0")
        p.add(f"{app}__auto_generated_rro_vendor__", AOSP_VERSION, "APPLICATION", "Apache-2.0")
    for index, interface in enumerate(HAL_INTERFACES):
        aidl = f"android.hardware.{interface}"
        for version in range(1, 2 + index % 3):
            p.add(f"{aidl}-V{version}-ndk", AOSP_VERSION, "LIBRARY", "Apache-2.0")
            p.add(f"{aidl}-V{version}-ndk.vendor", AOSP_VERSION, "LIBRARY", "Apache-2.0")
            p.add(f"{aidl}-V{version}-java", AOSP_VERSION, "LIBRARY", "Apache-2.0")
            p.add(f"{aidl}-V{version}-cpp", AOSP_VERSION, "LIBRARY", "Apache-2.0")
            if index % 3 == 0:
                p.add(f"{aidl}-V{version}-rust", AOSP_VERSION, "LIBRARY", "Apache-2.0")
        p.add(f"{aidl}-service.default", AOSP_VERSION, "APPLICATION", "Apache-2.0")
        if index % 2 == 0:
            p.add(f"{aidl}@2.0-impl", AOSP_VERSION, "LIBRARY", "Apache-2.0")
    for index, (project, version, licence) in enumerate(EXTERNAL):
        for position, variant in enumerate(EXTERNAL_VARIANTS):
            if position == 0 or (position == 1 and index % 2 == 0) or (position == 2 and index % 3 == 1):
                p.add(project + variant, version, "LIBRARY", licence, purl=f"pkg:generic/{project}@{version}")
    for crate in RUST_CRATES:
        p.add(f"librust_{crate.replace('-', '_')}", "0.0.0-android14", "LIBRARY", "MIT",
              purl=f"pkg:cargo/{crate}", comment="Rust crate vendored in external/rust/crates")
        p.add(f"librust_{crate.replace('-', '_')}.vendor", "0.0.0-android14", "LIBRARY", "MIT")
    for lib in ANDROIDX:
        for artifact in ("", "-ktx", "-nodeps"):
            if artifact == "-nodeps" and len(lib) % 4 != 0:
                continue
            p.add(f"androidx.{lib}{artifact}", "1.9.0" if "ktx" in artifact else "1.7.0", "LIBRARY", "Apache-2.0",
                  purl=f"pkg:maven/androidx.{lib.split('.')[0]}/{lib.replace('.', '-')}{artifact}@1.7.0")
    for lib in JAVA_LIBS:
        p.add(lib, AOSP_VERSION, "LIBRARY", "Apache-2.0")
        p.add(lib + ".impl", AOSP_VERSION, "LIBRARY", "Apache-2.0")
        p.add(lib + ".stubs", AOSP_VERSION, "LIBRARY", "Apache-2.0")
    for apex in APEX:
        p.add(apex, AOSP_VERSION, "FRAMEWORK", "Apache-2.0")
        p.add(apex + ".capex", AOSP_VERSION, "FRAMEWORK", "Apache-2.0")
    # the SoC vendor's binary blobs
    for lib in ARCTURUS_LIBS:
        for variant in ("", "_64", ".recovery"):
            if variant == ".recovery" and hash_share(lib) % 4:
                continue
            p.add(lib + variant, "AX7.LA.3.1-00412", "LIBRARY", "LicenseRef-Arcturus-Proprietary",
                  supplier=ARCTURUS, originator=ARCTURUS, built="2026-02-11T00:00:00Z")
    for blob in ARCTURUS_FIRMWARE:
        top.append(p.add(blob, "AX7.LA.3.1-00412", "FIRMWARE", "LicenseRef-Arcturus-Proprietary",
                         supplier=ARCTURUS, originator=ARCTURUS, built="2026-02-11T00:00:00Z"))
    # the head-unit maker's own software
    for app in HANBIT_APPS:
        top.append(p.add(app, HANBIT_VERSION, "APPLICATION", "LicenseRef-Hanbit-Proprietary", originator=HANBIT, built=BUILT))
    for lib in HANBIT_NATIVE:
        for variant in ("", ".vendor"):
            p.add(lib + variant, HANBIT_VERSION, "LIBRARY", "LicenseRef-Hanbit-Proprietary", originator=HANBIT, built=BUILT)
    for service in HANBIT_SERVICES:
        p.add(service, HANBIT_VERSION, "APPLICATION", "LicenseRef-Hanbit-Proprietary", originator=HANBIT, built=BUILT)
    p.add("hive7-mcu-firmware", "3.4.1", "FIRMWARE", "LicenseRef-Hanbit-Proprietary", originator=HANBIT, built=BUILT,
          comment="Vehicle-interface microcontroller (CAN, power moding)")
    # third parties
    for name, purpose, version in CARTOLUX_PACKAGES:
        top.append(p.add(name, version, purpose, "LicenseRef-Cartolux-Commercial", originator=CARTOLUX,
                         built="2026-04-30T00:00:00Z"))
    for name, purpose, version in KOTO_PACKAGES:
        top.append(p.add(name, version, purpose, "LicenseRef-Koto-Commercial", originator=KOTO,
                         built="2026-03-19T00:00:00Z"))
    for name in SONIQUE_FIRMWARE:
        top.append(p.add(name, "2.1", "FIRMWARE", "LicenseRef-Sonique-Proprietary", originator=SONIQUE,
                         built="2025-12-01T00:00:00Z", comment="Audio DSP tuning firmware for the amplifier"))
    device = {
        "SPDXID": root, "name": "HIVE-7 infotainment head unit", "versionInfo": f"HW-D2 / SW {HANBIT_VERSION}",
        "supplier": _party(HANBIT), "originator": _party(HANBIT), "downloadLocation": "NOASSERTION",
        "filesAnalyzed": False, "licenseConcluded": "NOASSERTION", "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION", "primaryPackagePurpose": "DEVICE",
        "description": "Android Automotive OS 14 infotainment head unit on the Arcturus AX-7 SoC: Wi-Fi 6, Bluetooth 5.3, GNSS, FM/DAB tuner",
        "externalRefs": [{"referenceCategory": "SECURITY", "referenceType": "cpe23Type",
                          "referenceLocator": "cpe:2.3:h:hanbit-infotainment:hive-7:d2:*:*:*:*:*:*:*"}],
    }
    relationships = [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": root}]
    relationships += [{"spdxElementId": root, "relationshipType": "CONTAINS", "relatedSpdxElement": child} for child in top]
    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"HIVE-7 infotainment head unit {HANBIT_VERSION}",
        "documentNamespace": f"https://sbom.hanbit-infotainment.example/spdx/hive-7/{HANBIT_VERSION}-cascadia",
        "creationInfo": {
            "created": "2026-06-02T09:00:00Z",
            "creators": [f"Organization: {HANBIT}", "Tool: hanbit-sbom-gen-3.1.0"],
            "comment": "Android build SBOM of the HIVE-7 software release 14.2.0 delivered to Cascadia Motors; one package per installed module",
        },
        "documentDescribes": [root],
        "packages": [device] + p.items,
        "relationships": relationships,
        "hasExtractedLicensingInfos": [
            {"licenseId": key, "name": key.removeprefix("LicenseRef-").replace("-", " "), "extractedText": text}
            for key, text in LICENSE_REFS.items()
        ],
    }


def hash_share(text: str) -> int:
    """A stable small number for a name (no Python hash randomization)."""
    return hashlib.sha256(text.encode()).digest()[0]


def render(document: dict) -> str:
    """Pretty at the top, one package and one relationship per line: readable and compact."""
    def line(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))

    head = {key: value for key, value in document.items() if key not in ("packages", "relationships", "hasExtractedLicensingInfos")}
    text = json.dumps(head, ensure_ascii=False, indent=2)[:-2]
    parts = [text + ","]
    for key in ("packages", "relationships", "hasExtractedLicensingInfos"):
        rows = ",\n    ".join(line(item) for item in document[key])
        parts.append(f'  "{key}": [\n    {rows}\n  ]')
    return parts[0] + "\n" + ",\n".join(parts[1:]) + "\n}\n"


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else OUTPUT
    document = build()
    out.write_text(render(document), encoding="utf-8")
    print(f"{out}: {len(document['packages'])} packages")


if __name__ == "__main__":
    main(sys.argv)
